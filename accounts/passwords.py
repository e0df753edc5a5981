"""Password strength: at least "medium" (zxcvbn score 3 or more), enforced on the server."""

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

LABELS = {0: "Very weak", 1: "Weak", 2: "Weak", 3: "Medium", 4: "Strong"}
MINIMUM_SCORE = 3


def password_strength(password: str, user_inputs: list[str] | None = None) -> dict:
    result = zxcvbn(password[:200], user_inputs=[i for i in (user_inputs or []) if i])
    score = int(result["score"])
    feedback = result.get("feedback") or {}
    return {
        "score": score,
        "label": LABELS[score],
        "warning": feedback.get("warning") or "",
        "suggestions": list(feedback.get("suggestions") or []),
    }


class ZxcvbnValidator:
    def validate(self, password, user=None):
        inputs: list[str] = []
        if user is not None:
            inputs += [getattr(user, "email", ""), getattr(user, "full_name", "")]
            inputs += (getattr(user, "email", "") or "").split("@")
            school = getattr(user, "school", None) if getattr(user, "school_id", None) else None
            if school is not None:
                inputs.append(school.name)
        strength = password_strength(password, inputs)
        if strength["score"] < MINIMUM_SCORE:
            raise ValidationError(
                f"This password is {strength['label'].lower()}. Use at least a medium-strength "
                "password: a longer phrase of unrelated words, or mix in numbers and symbols.",
                code="password_too_weak",
            )

    def get_help_text(self):
        return (
            "Your password must be at least medium strength. A few unrelated words, or a mix of "
            "upper and lower case letters, numbers and symbols, make a strong password."
        )
