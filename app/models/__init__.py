"""Typed SQLAlchemy models. Models never commit; services own the transaction."""

from .base import NAMING_CONVENTION, Base
from .catalogue import MemberState, Obligation, Regime, Resolution

__all__ = ["NAMING_CONVENTION", "Base", "MemberState", "Obligation", "Regime", "Resolution"]
