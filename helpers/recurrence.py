"""Helpers for chapter 2, why recurrence (added with that chapter)."""

__all__: list[str] = []
