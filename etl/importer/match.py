"""Match the councils named or coded in a publisher's file to the register, without guessing.

A name is looked up in three steps, and the first that finds anything decides:

1. **exact**: the text, ignoring case and repeated spaces, is one of the register's names for a
   council (official, short or alternative name, English or Welsh form);
2. **aggregate**: the text is an area that is not a council (United Kingdom, England, a region...);
3. **normalised**: after :func:`normalise_name` ("&" -> "and", "City of", "Council" suffixes,
   Welsh "Cyngor" prefixes, punctuation, accents, case and spaces) it equals the normalised form
   of a register name or of an aggregate area.

If the step that finds something finds two or more different councils (or a council and an
aggregate area) the name is **ambiguous**: it is reported with its candidates and never picked.
A spec can settle such a name explicitly with ``overrides``, or by the row's period
(:meth:`Matcher.fitting`: the register's life dates). A name with a marker saying the council
is abolished (``Cumbria (Pre LG)``, ``Somerset (former)``) means the abolished council of that
name. Nothing else is matched: no fuzzy distance, no prefix guessing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from etl import reference

__all__ = [
    "AGGREGATE_AREAS",
    "CODE_KINDS",
    "Match",
    "Matcher",
    "fold",
    "normalise_name",
]

# Areas publishers put beside councils: (canonical name, ONS code, other spellings).
AGGREGATE_AREAS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("United Kingdom", "K02000001", ("UK", "U.K.")),
    ("Great Britain", "K03000001", ("GB",)),
    ("England and Wales", "K04000001", ()),
    ("England", "E92000001", ()),
    ("Wales", "W92000004", ("Cymru",)),
    ("Scotland", "S92000003", ()),
    ("Northern Ireland", "N92000002", ()),
    ("North East", "E12000001", ()),
    ("North West", "E12000002", ()),
    ("Yorkshire and The Humber", "E12000003", ("Yorkshire and Humber", "Yorkshire and Humberside")),
    ("East Midlands", "E12000004", ()),
    ("West Midlands", "E12000005", ()),
    ("East of England", "E12000006", ("East", "Eastern")),
    ("London", "E12000007", ()),  # "Greater London" is the GLA's name in the register
    ("South East", "E12000008", ()),
    ("South West", "E12000009", ()),
    ("Inner London", "E13000001", ("London (Inner)", "London Inner")),
    ("Outer London", "E13000002", ("London (Outer)", "London Outer")),
    ("England excluding London", "", ("England excl London", "England excl. London")),
)

# Welsh forms of the principal councils' names (Welsh Government), keyed by the register's short
# name; the register itself holds only a few (and one with a broken character).
WELSH_NAMES: dict[str, tuple[str, ...]] = {
    "Isle of Anglesey": ("Ynys Môn", "Cyngor Sir Ynys Môn"),
    "Denbighshire": ("Sir Ddinbych", "Cyngor Sir Ddinbych"),
    "Flintshire": ("Sir y Fflint", "Cyngor Sir y Fflint"),
    "Wrexham": ("Wrecsam", "Cyngor Bwrdeistref Sirol Wrecsam"),
    "Pembrokeshire": ("Sir Benfro", "Cyngor Sir Penfro"),
    "Carmarthenshire": ("Sir Gaerfyrddin", "Cyngor Sir Gâr"),
    "Swansea": ("Abertawe", "Dinas a Sir Abertawe"),
    "Neath Port Talbot": ("Castell-nedd Port Talbot",),
    "Bridgend": ("Pen-y-bont ar Ogwr",),
    "Vale of Glamorgan": ("Bro Morgannwg",),
    "Cardiff": ("Caerdydd", "Cyngor Caerdydd"),
    "Caerphilly": ("Caerffili",),
    "Torfaen": ("Tor-faen",),
    "Monmouthshire": ("Sir Fynwy",),
    "Newport": ("Casnewydd",),
    "Merthyr Tydfil": ("Merthyr Tudful",),
}

# Words a publisher adds after an aggregate's name ("England average", "Scotland total").
_AGGREGATE_TAILS = ("total", "average", "mean", "overall", "all authorities", "all councils")

# Which register code kinds each ``by`` option accepts (current GSS codes are always fine).
CODE_KINDS = {
    "gss": ("gss",),
    "former_gss": ("gss", "former_gss"),
    "register": ("register",),
    "code": ("gss", "former_gss", "register"),
}

# Word sequences removed from the start of a name (longest first, repeated until none applies).
_PREFIXES = tuple(
    tuple(p.split())
    for p in sorted(
        (
            "the",
            "city of",
            "county of",
            "city and county of",
            "royal borough of",
            "london borough of",
            "metropolitan borough of",
            "borough of",
            "council of the",
            "county borough of",
            "cyngor",
            "cyngor sir",
            "cyngor dinas",
            "cyngor dinas a sir",
            "cyngor bwrdeistref sirol",
            "cyngor bwrdeistref",
            "dinas a sir",
            "sir",
            "bwrdeistref sirol",
        ),
        key=len,
        reverse=True,
    )
)
# ... and from the end ("Bristol, City of" is the ONS style).
_SUFFIXES = tuple(
    tuple(s.split())
    for s in sorted(
        (
            "council",
            "borough council",
            "county council",
            "district council",
            "city council",
            "metropolitan borough council",
            "metropolitan district council",
            "county borough council",
            "metropolitan borough",
            "metropolitan district",
            "unitary authority",
            "city of",
            "county of",
            "city and county of",
            "the",
            "borough",
            "district",
            "corporation",
            "city corporation",
            "islands council",
            "combined authority",
            "mayoral combined authority",
        ),
        key=len,
        reverse=True,
    )
)
# A marker after a name saying the council is the abolished one ("Cumbria (Pre LG)").
_FORMER = re.compile(r"^(?P<name>.+?)\s*[(\[]\s*(?:former|pre[\s-]*lgr?|abolished|old)\s*[)\]]$", re.IGNORECASE)
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case and spacing folded, nothing else: the key of an exact match (and of an override)."""
    return _SPACES.sub(" ", str(text).casefold()).strip()


_fold = fold


def normalise_name(text: str) -> str:
    """The comparable form of a council name.

    Removes accents (so Welsh ``Môn`` equals ``Mon``), case, punctuation and repeated spaces;
    reads ``&`` as ``and`` and ``Saint`` as ``St``; strips leading ``City of``, ``Royal Borough
    of``, ``Cyngor Sir``... and trailing ``Council``, ``Borough Council``, ``County Council``,
    ``District Council``, ``Metropolitan Borough``, ``, City of``... Never strips a name to nothing.
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _PUNCTUATION.sub(" ", text.replace("&", " and "))
    words = ["st" if w == "saint" else w for w in text.split()]
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if len(words) > len(prefix) and tuple(words[: len(prefix)]) == prefix:
                words, changed = words[len(prefix) :], True
                break
        for suffix in _SUFFIXES:
            if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
                words, changed = words[: -len(suffix)], True
                break
    return " ".join(words)


def _day(value: Any) -> dt.date | None:
    """A register date as a date (None for a missing one)."""
    if value is None or value is pd.NaT or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _aggregate_key(text: str) -> str:
    """An aggregate's comparable form: normalised, without a trailing ``total``/``average``."""
    key = normalise_name(text)
    for tail in _AGGREGATE_TAILS:
        if key.endswith(" " + tail):
            key = key[: -len(tail) - 1]
    return key


@dataclass(frozen=True)
class Match:
    """The outcome for one name or code in a file.

    ``outcome`` is ``matched`` (``authority_code`` set), ``aggregate`` (``area_name`` and
    ``area_code`` set), ``ambiguous`` (``candidates`` lists the possibilities), ``unmatched``
    or ``blank``. ``how`` says which step decided (exact, normalised, code, lookup, override).
    """

    outcome: str
    authority_code: str | None = None
    area_name: str | None = None
    area_code: str | None = None
    candidates: tuple[str, ...] = ()
    how: str = ""
    candidate_codes: tuple[str, ...] = ()  # the councils among the candidates (for by_period)


@dataclass
class Matcher:
    """Name and code look-ups built from the register (see the module docstring for the rules)."""

    exact: dict[str, set[str]] = field(default_factory=dict)
    normalised: dict[str, set[str]] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    lifetimes: dict[str, tuple[dt.date | None, dt.date | None]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # authority type, to tell two Somersets apart
    successors: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the register's replaced-by

    @classmethod
    def from_register(cls, reference_dir: Path | None = None, overrides: dict[str, str] | None = None) -> Matcher:
        """A matcher over every authority in the register (cached per register folder).

        ``overrides`` maps a name or code as written in the file to an authority code; it
        settles ambiguous names explicitly.

        Raises:
            FileNotFoundError: the register is not in ``reference_dir``.
            ValueError: an override names a code the register does not know.
        """
        folder = str((reference_dir or reference.default_reference_dir()).resolve())
        return _register_matcher(folder).with_overrides(overrides)

    @classmethod
    def build(cls, reference_dir: Path | None = None, overrides: dict[str, str] | None = None) -> Matcher:
        """A new matcher over every authority in the register (current and former), uncached.

        ``overrides`` maps a name or code as written in the file to an authority code; it
        settles ambiguous names explicitly.

        Raises:
            FileNotFoundError: the register is not in ``reference_dir``.
            ValueError: an override names a code the register does not know.
        """
        names = reference.read_authority_names(reference_dir)
        codes = reference.read_authority_codes(reference_dir)
        authorities = reference.read_authorities(reference_dir)
        matcher = cls()
        current = authorities[authorities["is_current"]]
        code_of = dict(zip(current["short_name"], current["authority_code"], strict=True))
        welsh = pd.DataFrame(
            [
                (name, code_of[english])
                for english, forms in WELSH_NAMES.items()
                if english in code_of
                for name in forms
            ],
            columns=["name", "authority_code"],
        )
        names = pd.concat([names, welsh])
        for name, code in zip(names["name"], names["authority_code"], strict=True):
            matcher.exact.setdefault(_fold(name), set()).add(code)
            matcher.normalised.setdefault(normalise_name(name), set()).add(code)
        by_code: dict[str, dict[str, str]] = defaultdict(dict)
        for code, kind, authority in zip(codes["code"], codes["code_kind"], codes["authority_code"], strict=True):
            by_code[code.strip().upper()][kind] = authority
        matcher.codes = dict(by_code)
        matcher.labels = dict(zip(authorities["authority_code"], authorities["short_name"], strict=True))
        matcher.lifetimes = {
            code: (_day(start), _day(end))
            for code, start, end in zip(
                authorities["authority_code"], authorities["start_date"], authorities["end_date"], strict=True
            )
        }
        matcher.types = dict(zip(authorities["authority_code"], authorities["authority_type"], strict=True))
        matcher.successors = {
            code: tuple(following)
            for code, following in zip(authorities["authority_code"], authorities["successor_codes"], strict=True)
            if len(following)
        }
        return matcher.with_overrides(overrides)

    def existed(self, code: str, start: dt.date, end: dt.date) -> bool:
        """Whether the council existed on some day from ``start`` to ``end`` (register dates;
        an end date is the first day without the council, as the peer groups read it)."""
        first, last = self.lifetimes.get(code, (None, None))
        return (first is None or first <= end) and (last is None or last > start)

    def fitting(self, codes: Iterable[str], start: dt.date, end: dt.date) -> list[str]:
        """The candidate councils the register's dates fit for a period from ``start`` to ``end``.

        Those that existed on some day of it; when several did (calendar 2023 saw both Somerset
        County Council, to 31 March, and the new Somerset Council), those that existed on its
        last day: a publisher reports a period on the geography at its end. One code back
        means the name is settled; more (or none) means it is still ambiguous.
        """
        alive = [c for c in codes if self.existed(c, start, end)]
        at_end = [c for c in alive if self.existed(c, end, end)]
        return at_end if len(alive) > 1 and at_end else alive

    def describe(self, code: str) -> str:
        """``E10000027 Somerset (County)``: a code with its name and type, for reports."""
        kind = self.types.get(code)
        return f"{code} {self.labels.get(code, code)}" + (f" ({kind})" if kind else "")

    def predecessors(self) -> list[tuple[str, str]]:
        """Every (predecessor, successor) pair, following chains (West Somerset -> Somerset West
        and Taunton -> Somerset gives West Somerset -> Somerset too)."""
        pairs = set()
        for old in self.successors:
            stack, seen = list(self.successors[old]), set()
            while stack:
                new = stack.pop()
                if new in seen or new == old:
                    continue
                seen.add(new)
                pairs.add((old, new))
                stack.extend(self.successors.get(new, ()))
        return sorted(pairs)

    def override_target(self, written: str, target: str) -> str:
        """The authority (or aggregate area) code an override's ``target`` names.

        Raises:
            ValueError: ``target`` is not a code in the register or an aggregate's ONS code.
        """
        code = str(target).strip().upper()
        resolved = set(self.codes.get(code, {}).values())
        if code in _AGGREGATES_BY_CODE:  # an override may also say "this row is the region"
            return code
        if len(resolved) == 1:
            return resolved.pop()
        raise ValueError(
            f"override {written!r} -> {target!r}: {target!r} is not a code in the register "
            "or an aggregate area's ONS code"
        )

    def with_overrides(self, overrides: dict[str, str] | None) -> Matcher:
        """A copy that also maps each written name or code in ``overrides`` to its authority.

        Raises:
            ValueError: an override names a code the register does not know.
        """
        settled = dict(self.overrides)
        for written, target in (overrides or {}).items():
            settled[_fold(written)] = self.override_target(written, target)
        return dataclasses.replace(self, overrides=settled)

    def _override(self, folded: str) -> Match:
        target = self.overrides[folded]
        if target in _AGGREGATES_BY_CODE and target not in self.labels:
            return Match("aggregate", area_name=_AGGREGATES_BY_CODE[target], area_code=target, how="override")
        return Match("matched", target, how="override")

    # -- names ---------------------------------------------------------------------------------
    def match_name(self, text: str | None) -> Match:
        """Match one name as written in a file (see the module docstring for the steps)."""
        if text is None or not str(text).strip():
            return Match("blank")
        folded = _fold(text)
        if folded in self.overrides:
            return self._override(folded)
        # "North East" is both a region and a combined authority's name: exact hits on both
        # are ambiguous, like any other pair.
        found = self.exact.get(folded, set())
        area = _AGGREGATES_EXACT.get(folded)
        if found or area:
            return self._decide(found, (area,) if area else (), "exact")
        key = normalise_name(text)
        councils = self.normalised.get(key, set())
        areas = _AGGREGATES_NORMALISED.get(_aggregate_key(text), ())
        if not councils and not areas and (former := _FORMER.match(str(text).strip())):
            return self._former(former["name"])
        return self._decide(councils, areas, "normalised")

    def _former(self, name: str) -> Match:
        """``name`` carried a marker saying the council is abolished: the abolished council that
        name (exactly or normalised: "Buckinghamshire" is the unitary's name and, normalised,
        the old county's) stands for."""
        codes = self.exact.get(_fold(name), set()) | self.normalised.get(normalise_name(name), set())
        ended = {c for c in codes if self.lifetimes.get(c, (None, None))[1] is not None}
        if len(ended) == 1:
            return Match("matched", ended.pop(), how="former")
        return self._decide(ended, (), "former")

    def _decide(self, councils: set[str], areas: tuple[tuple[str, str], ...], how: str) -> Match:
        if len(councils) == 1 and not areas:
            return Match("matched", next(iter(councils)), how=how)
        if len(areas) == 1 and not councils:
            name, code = areas[0]
            return Match("aggregate", area_name=name, area_code=code or None, how=how)
        if not councils and not areas:
            return Match("unmatched")
        candidates = [f"{c} ({self.labels.get(c, c)})" for c in sorted(councils)]
        candidates += [f"{name} (aggregate area)" for name, _ in areas]
        codes = () if areas else tuple(sorted(councils))  # a region is never settled by dates
        return Match("ambiguous", candidates=tuple(candidates), how=how, candidate_codes=codes)

    # -- codes ---------------------------------------------------------------------------------
    def match_code(self, text: str | None, by: str = "code") -> Match:
        """Match one code; ``by`` is gss, former_gss, register or code (any of them).

        Aggregate areas' ONS codes (E92000001, E12000001...) are recognised as aggregates.
        """
        if text is None or not str(text).strip():
            return Match("blank")
        code = str(text).strip().upper()
        folded = _fold(text)
        if folded in self.overrides:
            return self._override(folded)
        kinds = self.codes.get(code, {})
        found = {kinds[k] for k in CODE_KINDS[by] if k in kinds}
        if len(found) == 1:
            return Match("matched", found.pop(), how=f"code ({by})")
        if len(found) > 1:
            return Match("ambiguous", candidates=tuple(sorted(found)), how=f"code ({by})")
        area = _AGGREGATES_BY_CODE.get(code)
        if area:
            return Match("aggregate", area_name=area, area_code=code, how="code")
        return Match("unmatched")


@functools.lru_cache(maxsize=4)  # the register is read once per process and folder
def _register_matcher(folder: str) -> Matcher:
    return Matcher.build(Path(folder))


def match_frame(matcher: Matcher, texts: pd.Series, by: str) -> pd.DataFrame:
    """Match each distinct text once: a frame ``raw, outcome, authority_code, area_name,
    area_code, candidates, how`` (``by`` is ``name`` or a code kind)."""
    rows = []
    for raw in pd.unique(texts):
        found = matcher.match_name(raw) if by == "name" else matcher.match_code(raw, by)
        rows.append(
            {
                "raw": raw,
                "outcome": found.outcome,
                "authority_code": found.authority_code,
                "area_name": found.area_name,
                "area_code": found.area_code,
                "candidates": "; ".join(found.candidates),
                "how": found.how,
                "candidate_codes": ",".join(found.candidate_codes),
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=["raw", "outcome", "authority_code", "area_name", "area_code", "candidates", "how", "candidate_codes"],
    ).astype(object)
    return frame.where(frame.notna(), None)  # a blank cell stays None (never the text "nan")


def _aggregate_tables() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[tuple[str, str], ...]], dict[str, str]]:
    exact: dict[str, tuple[str, str]] = {}
    normalised: dict[str, set[tuple[str, str]]] = defaultdict(set)
    by_code: dict[str, str] = {}
    for name, code, others in AGGREGATE_AREAS:
        for spelling in (name, *others):
            exact[_fold(spelling)] = (name, code)
            normalised[_aggregate_key(spelling)].add((name, code))
        if code:
            by_code[code] = name
    return exact, {k: tuple(sorted(v)) for k, v in normalised.items()}, by_code


_AGGREGATES_EXACT, _AGGREGATES_NORMALISED, _AGGREGATES_BY_CODE = _aggregate_tables()
