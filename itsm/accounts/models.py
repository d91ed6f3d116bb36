"""People and the teams (assignment groups) they work in."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone as django_timezone

TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        # Email is the login and is stored lower-case; people type it in any case.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: employees raising tickets and the staff working them.

    Email is the login. What a person may do comes from their role groups (see roles.py);
    `is_staff` only opens the Django admin.
    """

    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=150)
    phone = models.CharField(max_length=40, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    organisation_unit = models.CharField(
        max_length=120, blank=True, help_text="Department or business unit, shown to the desk."
    )
    is_vip = models.BooleanField(
        "VIP", default=False, help_text="The desk sees a VIP flag on this person's tickets."
    )
    timezone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, default="UTC")
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the administration site."
    )
    date_joined = models.DateTimeField(default=django_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name"]
        # Privacy requests (itsm/privacy): export everything about a person, or erase them.
        permissions = [
            ("handle_privacy_request", "Can export or erase a person's personal data"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email


class Team(models.Model):
    """An assignment group: tickets, tasks and changes are routed to a team, then to a member."""

    name = models.CharField(max_length=100, unique=True)
    email = models.EmailField(blank=True, help_text="Shared mailbox the team is notified on.")
    lead = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )
    members = models.ManyToManyField(User, blank=True, related_name="teams")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
