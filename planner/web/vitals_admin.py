"""The admin's check-in thresholds (/settings/vitals): each site's blood pressure above which a dose is held."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired

from planner.domain.errors import InvalidData
from planner.domain.vitals import DEFAULT_DIASTOLIC, DEFAULT_SYSTOLIC, THRESHOLD_BOUNDS
from planner.services.vitals_thresholds import set_threshold, site_thresholds, threshold_history, threshold_of
from planner.web.access import actor, now, roles_required
from planner.web.forms import ProblemsBeside

vitals_admin = Blueprint("vitals_admin", __name__)

_WHOLE = "Give a whole number of mmHg."


class ThresholdForm(ProblemsBeside, FlaskForm):
    """A site's threshold as typed; the clinical bounds are the service's, each said beside its field."""

    systolic = IntegerField("Systolic (mmHg)", validators=[InputRequired(_WHOLE)], render_kw={"inputmode": "numeric"})
    diastolic = IntegerField("Diastolic (mmHg)", validators=[InputRequired(_WHOLE)],
                             render_kw={"inputmode": "numeric"})


@vitals_admin.get("/settings/vitals")
@roles_required("admin")
def thresholds():
    """Every site's threshold, the default where none is set, each with its form and its history."""
    return _page()


@vitals_admin.post("/settings/vitals/<id:site_id>")
@roles_required("admin")
def change(site_id: int):
    """Set one site's threshold; refused with each error beside its field (422), nothing written."""
    threshold_of(site_id)  # 404 for no such site, before anything typed is judged
    form = ThresholdForm(prefix=f"site-{site_id}")
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page((site_id, form), 422)
    try:
        saved = set_threshold(site_id, form.systolic.data, form.diastolic.data, actor(), now())
    except InvalidData as invalid:
        form.show_errors(invalid.problems)
        return _page((site_id, form), 422)
    flash(f"Saved: at {saved.site}, a dose checked in from now on is held above {saved}. Doses already checked "
          "in keep their judgement.", "success")
    return redirect(url_for(".thresholds") + f"#site-{site_id}", 303)


def _page(submitted: tuple[int, ThresholdForm] | None = None, status: int = 200):
    sites = site_thresholds()
    forms = {s.site_id: ThresholdForm(formdata=None, prefix=f"site-{s.site_id}", systolic=s.systolic,
                                      diastolic=s.diastolic) for s in sites}
    if submitted:
        forms[submitted[0]] = submitted[1]
    page = render_template("vitals/thresholds.html", sites=sites, forms=forms,
                           history=threshold_history([s.site_id for s in sites]),
                           default=f"{DEFAULT_SYSTOLIC}/{DEFAULT_DIASTOLIC}", bounds=THRESHOLD_BOUNDS,
                           failed=submitted[0] if submitted else None)
    return page, status
