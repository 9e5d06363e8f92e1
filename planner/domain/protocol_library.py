"""The protocols the product ships with (domain.md); every number is editable by the clinic."""

from __future__ import annotations

from planner.domain.protocols import AFTER_DOSE, BEFORE_FIRST, Phase, Protocol, TherapyLink

PREPARATION_BEFORE_FIRST = TherapyLink("preparation", BEFORE_FIRST, None, -14, -1)
INTEGRATION_AFTER_EACH = TherapyLink("integration", AFTER_DOSE, None, 1, 3)

DEFAULT_PROTOCOLS = (
    # IV induction: 6 infusions, 2-3 a week, at least a day apart, all within 21 days (CLINIC);
    # preparation before dose 1, integration 1-3 days after each dose.
    Protocol("iv-induction", "IV ketamine, depression induction", "iv-infusion",
             (Phase("induction", 6, 1, 7, 2, 3, 21),),
             (PREPARATION_BEFORE_FIRST, INTEGRATION_AFTER_EACH)),
    # IV booster: one infusion, repeatable every 4-6 weeks (CLINIC), integration after.
    Protocol("iv-booster", "IV ketamine, booster", "iv-infusion", (Phase("booster", 1),),
             (INTEGRATION_AFTER_EACH,)),
    # Spravato TRD (REG label): twice weekly weeks 1-4, weekly weeks 5-8, then weekly or every
    # 2 weeks; an induction miss keeps the planned schedule.
    Protocol("esketamine-trd", "Esketamine nasal spray, treatment-resistant depression", "esketamine",
             (Phase("induction", 8, 2, 5, 2, 2, 28),
              Phase("weekly", 4, 6, 8, None, 1, 28, (5, 9)),
              Phase("maintenance", 4, 7, 14, None, 1, None, (6, 14))),
             missed_dose_policy="keep_schedule"),
    # Spravato, MDD with suicidal thinking (REG label): twice weekly for 4 weeks.
    Protocol("esketamine-mdsi", "Esketamine nasal spray, depression with suicidal thinking", "esketamine",
             (Phase("induction", 8, 2, 5, 2, 2, 28),), missed_dose_policy="keep_schedule"),
    # Ketamine-assisted psychotherapy (CLINIC): 3 dosing sessions weekly to every 2 weeks;
    # 2 preparation sessions before dose 1, integration 1-3 days after each dose.
    Protocol("kap", "Ketamine-assisted psychotherapy", "kap-im",
             (Phase("dosing", 3, 7, 14, None, 1),),
             (TherapyLink("preparation", BEFORE_FIRST, None, -21, -1, count=2), INTEGRATION_AFTER_EACH)),
    # Chronic pain (CLINIC): 5 consecutive days, no psychotherapy by default.
    Protocol("pain-5-day", "Ketamine for chronic pain, 5-day series", "pain-infusion",
             (Phase("series", 5, 1, 1),)),
    Protocol("pain-booster", "Ketamine for chronic pain, booster", "pain-infusion", (Phase("booster", 2, 1, 1),)),
)
