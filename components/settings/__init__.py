"""Typed settings for every ``securecart:*`` key: one module per tier's settings (``network``, ``delivery``,
``data``, ``connectivity``), the stack's settings and the rules between its tiers (``stack``), shared types and AWS
facts (``types``), the loader and its error messages (``loader``), and the rules across the region stacks
(``cross_region``)."""

from components.settings.loader import load_settings, parse_settings
from components.settings.stack import StackSettings
from components.settings.types import ConfigError, Role

__all__ = ["ConfigError", "Role", "StackSettings", "load_settings", "parse_settings"]
