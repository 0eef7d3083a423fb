"""Helpers for chapter 6, the sine case study (added with that chapter)."""

__all__: list[str] = []
