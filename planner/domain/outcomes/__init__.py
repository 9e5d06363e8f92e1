"""Outcome measures taken before doses: the questionnaires, their scoring, and change from a course's baseline."""
