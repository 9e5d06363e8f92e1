"""HTTP edge: blueprints for pages and the JSON API."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every blueprint and error handler to the app."""
    from planner.extensions import csrf
    from planner.web import access, errors
    from planner.web.api import api
    from planner.web.auth import auth
    from planner.web.board import board
    from planner.web.book import book
    from planner.web.feeds import feeds
    from planner.web.outbox import outbox
    from planner.web.pages import pages
    from planner.web.patient import patient
    from planner.web.patients import patients
    from planner.web.reception import reception
    from planner.web.settings import settings
    from planner.web.sms import sms
    from planner.web.course_page import course_page
    from planner.web.course_wizard import wizard
    from planner.web.session_desk import session_desk
    from planner.web.rems import rems_page
    from planner.web.coverage import coverage
    from planner.web.setup_hub import setup_hub
    from planner.web.site_admin import site_admin
    from planner.web.site_parts import site_parts
    from planner.web.account_admin import account_admin
    from planner.web.reminder_settings import reminder_settings
    from planner.web.staff import staff
    from planner.web import staff_rows  # noqa: F401  (its routes join the staff blueprint)
    from planner.web.callouts import callouts
    from planner.web.policy import policy_page
    from planner.web.protocols import protocols
    from planner.web.my_day import my_day
    from planner.web import patient_questions  # noqa: F401  (its routes join the patient blueprint)
    from planner.web.outcomes import outcomes
    from planner.web.screening import screening_pages

    access.init_app(app)
    errors.init_app(app)
    # The API first: it brings the bounded <id:...> converter the pages' routes use too.
    app.register_blueprint(api, url_prefix="/api")
    app.register_blueprint(auth)
    app.register_blueprint(pages)
    app.register_blueprint(outbox)
    app.register_blueprint(feeds)
    app.register_blueprint(sms)
    app.register_blueprint(settings)
    app.register_blueprint(reception)
    app.register_blueprint(board)
    app.register_blueprint(wizard)
    app.register_blueprint(course_page)
    app.register_blueprint(book)
    app.register_blueprint(patients)
    app.register_blueprint(session_desk)
    app.register_blueprint(rems_page)
    app.register_blueprint(coverage)
    app.register_blueprint(setup_hub)
    app.register_blueprint(site_admin)
    app.register_blueprint(site_parts)
    app.register_blueprint(account_admin)
    app.register_blueprint(reminder_settings)
    app.register_blueprint(staff)
    app.register_blueprint(callouts)
    app.register_blueprint(policy_page)
    app.register_blueprint(protocols)
    app.register_blueprint(my_day)
    app.register_blueprint(outcomes)
    app.register_blueprint(screening_pages)
    from planner.web.checkin_desk import checkin_desk  # issue 13, part 3: the check-in gate

    app.register_blueprint(checkin_desk)
    from planner.web.vitals_admin import vitals_admin  # issue 13, part 3: each site's check-in threshold

    app.register_blueprint(vitals_admin)
    # The signed token in the URL is the patient's only credential: see planner/web/patient.py for why
    # a CSRF token would add nothing there (and would break over HTTPS with no Referer).
    csrf.exempt(patient)
    app.register_blueprint(patient)
