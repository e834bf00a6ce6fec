"""`Registry`: the one shape of every name-to-method table of the package.

`keras_mine.METHODS` (MI), `keras_mine.estimators.conditional.CMI_METHODS`,
`keras_mine.estimators.entropy.ENTROPY_METHODS` and
`keras_mine.core.objectives.OBJECTIVES` are each a read-only `Registry`. Every
entry has a ``description`` (one line), its own ``options`` and the
``settings`` it accepts (its options and those every method of its kind
takes). The registry checks a name and refuses the settings an entry would
ignore, in one place, with one message: callers never branch on a name to
decide what applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Generic, Protocol, TypeVar

from keras_mine.core.validation import check_option, refuse_unknown_options

__all__ = ["Registry", "Entry", "refuse_settings"]


class Entry(Protocol):
    """What every registry entry has."""

    description: str

    @property
    def options(self) -> tuple[str, ...]:
        """Its own options."""

    @property
    def settings(self) -> tuple[str, ...]:
        """Every setting it accepts: its options and its kind's shared settings."""


E = TypeVar("E", bound=Entry)


def refuse_settings(entry: E, given: Any, where: str) -> E:
    """`entry` if it accepts every name in `given`, else the one "do not apply" ValueError.

    For entries outside a registry (CCMI's method, which `estimate_cmi` runs
    through the MI machinery); `Registry.check` calls it.
    """
    refuse_unknown_options(given, entry.options, where, entry.settings)
    return entry


class Registry(Mapping[str, E], Generic[E]):
    """A read-only mapping from names to entries that checks names and settings.

    Parameters
    ----------
    entries : mapping
        Name to entry, in the order error messages list them.
    argument : str
        The argument the name is passed as (``"method"``, ``"loss"``).
    kind : str
        The entries, plural, for messages (``"methods"``, ``"losses"``).

    Examples
    --------
    >>> from keras_mine.estimators.methods import METHODS
    >>> METHODS.check("ksg").options
    ('k', 'standardize')
    >>> METHODS.check("ksg", {"bins": 3})
    Traceback (most recent call last):
    ...
    ValueError: Option(s) ['bins'] do not apply to method='ksg' (its options: k, standardize).
    """

    def __init__(self, entries: Mapping[str, E], *, argument: str = "method",
                 kind: str = "methods") -> None:  # fmt: skip
        self._entries = MappingProxyType(dict(entries))
        self.argument, self.kind = argument, kind

    def __getitem__(self, name: str) -> E:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({', '.join(self._entries)})"

    def check(self, name: Any, settings: Any = ()) -> E:
        """The entry of `name`, or a ValueError listing the valid names.

        Names in `settings` that the entry does not accept raise the one
        "do not apply" ValueError (`refuse_settings`).
        """
        entry = self._entries[check_option(name, self.argument, self._entries, self.kind)]
        return refuse_settings(entry, settings, f"{self.argument}={name!r}")

    def subset(self, keep: Callable[[str, E], bool]) -> Registry[E]:
        """The entries for which ``keep(name, entry)`` holds, as a registry of the same kind."""
        return Registry({name: entry for name, entry in self._entries.items() if keep(name, entry)},
                        argument=self.argument, kind=self.kind)  # fmt: skip

    def descriptions(self) -> dict[str, str]:
        """Name to one-line description, in order."""
        return {name: entry.description for name, entry in self._entries.items()}
