"""Helpers for chapter 4, the nn.RNN layer (added with that chapter)."""

__all__: list[str] = []
