"""Helpers for chapter 3, backpropagation through time (added with that chapter)."""

__all__: list[str] = []
