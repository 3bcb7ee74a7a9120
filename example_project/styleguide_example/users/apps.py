"""App config of styleguide_example.users."""

from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "styleguide_example.users"
