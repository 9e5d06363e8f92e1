"""Forms for the staff pages (each with a CSRF token), and ProblemsBeside: a service's problems beside their fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Email and password; the target page rides along in a hidden field."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Nothing but the CSRF token: signing out is a POST so no link or image can do it."""


class ProblemsBeside:
    """Put each problem beside the field it names; return the messages that name none of this form's fields."""

    def show_errors(self, problems) -> list[str]:
        """Each problem beside its field; the rest returned."""
        elsewhere = []
        for problem in problems:
            field = self._fields.get(problem.field or "")  # type: ignore[attr-defined]
            if field is None or problem.field == "csrf_token":
                elsewhere.append(problem.message)
            else:
                field.errors = [*field.errors, problem.message]
        return elsewhere
