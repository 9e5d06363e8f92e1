"""The admin's protocol pages: every protocol, one with its history, the form that saves a new version, retire/restore.

Every change goes through the services the API uses (save_protocol, change_protocol_state): the
same rules, the same audit. A refused change shows the page again with each reason beside its
field and nothing written. A running course keeps the version it started on, whatever happens here.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from planner.domain.errors import InvalidData, ProtocolRefused
from planner.domain.protocol_words import MISSED_DOSE_WORDS, phase_words, therapy_words
from planner.services.course_inputs import ProtocolStateChange
from planner.services.protocol_pages import protocol_detail, protocol_summaries, session_types_offered
from planner.services.protocol_states import change_protocol_state
from planner.services.protocols import save_protocol
from planner.services.validation import parse
from planner.web.access import actor, now, roles_required
from planner.web.protocol_forms import ProtocolForm, ProtocolStateForm

protocols = Blueprint("protocols", __name__)


@protocols.get("/protocols")
@roles_required("admin")
def listing():
    """Every protocol with its active version and its running courses per version; retired ones apart."""
    found = protocol_summaries()
    return render_template("protocols/list.html", in_use=[p for p in found if p.retired is None],
                           retired=[p for p in found if p.retired is not None])


@protocols.get("/protocols/<protocol_key:key>")
@roles_required("admin")
def show(key: str):
    """A protocol in the clinic's words, its versions and what changed, its running courses, retire or restore."""
    return _show(key, ProtocolStateForm(formdata=None))


def _show(key: str, form: ProtocolStateForm, status: int = 200, refused: list[str] | None = None):
    detail = protocol_detail(key)
    return render_template("protocols/show.html", detail=detail, form=form, refused=refused or [],
                           phase_words=phase_words, therapy_words=therapy_words,
                           missed=MISSED_DOSE_WORDS), status


@protocols.route("/protocols/<protocol_key:key>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit(key: str):
    """The form, starting from the active version; saving makes a new version (refused: errors beside fields)."""
    detail = protocol_detail(key)
    form = ProtocolForm().offer(session_types_offered())
    if not form.is_submitted():
        form.fill(detail.active.protocol)
    form.key.data = key  # the key names the protocol: it is not edited
    return _save(form, detail.name, new=False, retired=detail.retired is not None)


@protocols.route("/protocols/new", methods=["GET", "POST"])
@roles_required("admin")
def new():
    """A new protocol: the same form, blank; its key must be one the clinic does not have."""
    form = ProtocolForm().offer(session_types_offered())
    if not form.is_submitted():
        form.phases[0].form.name.data = "induction"
    return _save(form, None, new=True, retired=False)


def _save(form: ProtocolForm, name: str | None, new: bool, retired: bool):
    problems: list[str] = []
    if form.is_submitted():
        if not form.validate():  # the CSRF token only: save_protocol judges every value
            abort(400)
        data, phase_rows, therapy_rows = form.body()
        typed = (form.based_on.data or "").strip()
        based_on = int(typed) if typed.isascii() and typed.isdigit() and len(typed) < 10 and not new else None
        try:
            key, version = save_protocol(data, actor(), now(), new=new, based_on=based_on)
        except InvalidData as invalid:
            problems = form.place(invalid.problems, phase_rows, therapy_rows) or []
            return _form_page(form, name, new, problems, 422)
        except ProtocolRefused as refused:
            return _form_page(form, name, new, [r.message for r in refused.reasons], 409)
        still = " It stays retired: restore it to offer it to new courses." if retired else ""
        flash(f"Saved version {version}. New courses get it; running courses keep the version they started on."
              + still, "success")
        return redirect(url_for(".show", key=key), 303)
    return _form_page(form, name, new, problems, 200)


def _form_page(form: ProtocolForm, name: str | None, new: bool, problems: list[str], status: int):
    return render_template("protocols/form.html", form=form, name=name, new=new, problems=problems,
                           invalid=status != 200, marked=status == 422), status


@protocols.post("/protocols/<protocol_key:key>/retire")
@roles_required("admin")
def retire(key: str):
    """Retire the protocol, saying why: no new course gets it; running courses keep theirs."""
    return _change_state(key, True, "Retired. No new course can start on it; running courses keep their version.")


@protocols.post("/protocols/<protocol_key:key>/restore")
@roles_required("admin")
def restore(key: str):
    """Restore a retired protocol, saying why: new courses get its active version again."""
    return _change_state(key, False, "Restored. New courses get its active version again.")


def _change_state(key: str, retired: bool, done: str):
    form = ProtocolStateForm()
    if not form.validate_on_submit():  # the CSRF token only
        abort(400)
    try:
        change = parse(ProtocolStateChange, {"retired": retired, "reason": form.reason.data or ""})
        change_protocol_state(key, change, actor(), now())
    except InvalidData as invalid:
        return _show(key, form, 422, form.show_errors(invalid.problems))
    except ProtocolRefused as refused:
        return _show(key, form, 409, [r.message for r in refused.reasons])
    flash(done, "success")
    return redirect(url_for(".show", key=key), 303)
