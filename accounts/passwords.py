"""Password strength: at least "medium" (zxcvbn score 3 or more), enforced on the server.

The user's own words (name, email, school) and the partnership's name count as dictionary
words, so "NoelPark2026" is weak for a Noel Park user. zxcvbn scores the first 72 characters
(its own limit, which keeps scoring fast): a longer passphrase is judged by its start and
accepted whole. Any Unicode works."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

LABELS = {0: "Very weak", 1: "Weak", 2: "Weak", 3: "Medium", 4: "Strong"}
MINIMUM_SCORE = 3
MAX_CHECKED_LENGTH = 72  # zxcvbn refuses longer input


def password_strength(password: str, user_inputs: list[str] | None = None) -> dict:
    result = zxcvbn(password[:MAX_CHECKED_LENGTH], user_inputs=[i for i in (user_inputs or []) if i])
    score = int(result["score"])
    feedback = result.get("feedback") or {}
    return {
        "score": score,
        "label": LABELS[score],
        "warning": feedback.get("warning") or "",
        "suggestions": list(feedback.get("suggestions") or []),
        "acceptable": score >= MINIMUM_SCORE,
    }


def _words(text: str) -> list[str]:
    text = (text or "").strip().lower()
    if not text:
        return []
    return [text, *[w for w in re.split(r"[\W_]+", text) if len(w) >= 3]]


def user_inputs_for(user=None, *, extra: list[str] | None = None) -> list[str]:
    """Words an attacker would try first for this person: their name, email and school."""
    words: list[str] = []
    if user is not None:
        email = getattr(user, "email", "") or ""
        words += _words(email) + _words(email.split("@")[0])
        if "@" in email:
            words += _words(email.split("@", 1)[1])
        words += _words(getattr(user, "full_name", ""))
        school = getattr(user, "school", None) if getattr(user, "school_id", None) else None
        if school is not None:
            words += _words(school.name)
        trust = getattr(user, "trust", None) if getattr(user, "trust_id", None) else None
        if trust is not None:
            words += _words(trust.name)
    for text in extra or []:
        words += _words(text)
    words += _words(getattr(settings, "PORTAL_SHORT_NAME", "")) + _words(getattr(settings, "PORTAL_NAME", ""))
    seen: dict[str, None] = {}
    for word in words:
        seen.setdefault(word, None)
    return list(seen)


class ZxcvbnValidator:
    def validate(self, password, user=None):
        strength = password_strength(password, user_inputs_for(user))
        if not strength["acceptable"]:
            advice = strength["warning"] or "It would be too easy to guess."
            raise ValidationError(
                f"This password is {strength['label'].lower()}: {advice.rstrip('.')}. Use at least a "
                "medium-strength password, for example three or four unrelated words.",
                code="password_too_weak",
            )

    def get_help_text(self):
        return (
            "Your password must be at least medium strength. A few unrelated words, or a mix of "
            "upper and lower case letters, numbers and symbols, make a strong password."
        )
