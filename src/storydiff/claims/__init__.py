"""Attributed claims: who says what, in which role, with which hedges, when and where."""
