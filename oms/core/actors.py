"""Who did something: a person, an API integration or the system itself."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True)
class Actor:
    label: str
    user_id: int | None = None

    @classmethod
    def system(cls, what: str) -> Actor:
        return cls(label=f"system:{what}")

    @classmethod
    def of_user(cls, user: AbstractBaseUser) -> Actor:
        return cls(label=user.get_username(), user_id=user.pk)


def actor_of(request) -> Actor:
    """The actor behind a request (screen or API)."""
    return Actor.of_user(request.user)
