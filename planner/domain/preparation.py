"""How a patient prepares for a dosing session, in plain words (domain.md, "Before, at and after a session").

The lines go into the body of the patient's reminders, never a subject or an SMS, and even there
they name no drug and no route: a reminder left open on a shared screen should say "do not eat",
not why.
"""

from __future__ import annotations

from planner.domain.clinic import ROUTES

# Ketamine given into a vein, a muscle or under the tongue (CLINIC): fasting as for sedation.
_KETAMINE = (
    "Do not eat solid food for 6 hours before your appointment.",
    "You may drink clear liquids, such as water, clear apple juice, or tea or coffee without milk, "
    "until 2 hours before your appointment.",
)
# Esketamine (REG label): a shorter fast, and a steroid or decongestant nose spray, if the patient
# uses one, at least an hour before the dose so it does not stop the dose being absorbed.
_ESKETAMINE = (
    "Do not eat for 2 hours before your appointment.",
    "Do not drink anything for 30 minutes before your appointment.",
    "If you use a steroid or decongestant spray for your nose, use it at least 1 hour before "
    "your appointment.",
)
# Every dosing session (CLINIC/REG): the patient cannot drive or be alone on the way home.
_EVERY_DOSE = (
    "Do not drink alcohol for 24 hours before your appointment.",
    "A responsible adult must take you home afterwards.",
    "Do not drive until the next day, after a night's sleep.",
)

_BY_ROUTE = {
    "IV": _KETAMINE + _EVERY_DOSE,
    "IM": _KETAMINE + _EVERY_DOSE,
    "sublingual": _KETAMINE + _EVERY_DOSE,
    "intranasal": _ESKETAMINE + _EVERY_DOSE,
    "none": (),  # no drug is given: nothing to prepare
}


def preparation_for(route: str) -> tuple[str, ...]:
    """The preparation lines for a session type's route ("IV", "IM", "sublingual", "intranasal", "none")."""
    if route not in ROUTES:
        # A route the list does not know would otherwise send a dosing reminder with no fasting rule.
        raise ValueError(f"no preparation is known for the route {route!r}; routes are {', '.join(ROUTES)}")
    return _BY_ROUTE[route]
