"""Helpers for chapter 5, nn.RNNCell (added with that chapter)."""

__all__: list[str] = []
