"""Who holds what in whom: parties, interests, their validation and the reporting thresholds.

Pure rules, no I/O. Shares are kept as `Decimal` percentages (0-100), as declared, so that
2.2 % + 85.9 % + 11.9 % is exactly 100 % (as floats it is 100.00000000000001, "over 100 %");
the engine works in float fractions (0-1).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from shokei.kernel.bus import Command, Event

JAPAN = "JP"
HUNDRED = Decimal(100)

# Shares arrive as decimal percentages but the engine computes in binary floating point, where
# 0.1 + 0.4 can land a hair below 0.5; a threshold counts as reached within this tolerance.
THRESHOLD_TOLERANCE = 1e-9


class EntityKind(StrEnum):
    REGISTERED_COMPANY = "registered_company"  # in the Japanese register, has a 法人番号
    FOREIGN_COMPANY = "foreign_company"
    PERSON = "person"
    STATE = "state"  # a state or a state body (ministry, agency)
    ARRANGEMENT = "arrangement"  # trust, nominee or joint holding: passes ownership through
    UNKNOWN = "unknown"


class Directness(StrEnum):
    """BODS `directOrIndirect`: whether intermediaries stand between holder and company."""

    DIRECT = "direct"
    INDIRECT = "indirect"
    UNKNOWN = "unknown"


class InterestType(StrEnum):
    """The BODS 0.4 `interestType` codelist (closed)."""

    SHAREHOLDING = "shareholding"
    VOTING_RIGHTS = "votingRights"
    APPOINTMENT_OF_BOARD = "appointmentOfBoard"
    OTHER_INFLUENCE_OR_CONTROL = "otherInfluenceOrControl"
    SENIOR_MANAGING_OFFICIAL = "seniorManagingOfficial"
    SETTLOR = "settlor"
    TRUSTEE = "trustee"
    PROTECTOR = "protector"
    BENEFICIARY_OF_LEGAL_ARRANGEMENT = "beneficiaryOfLegalArrangement"
    RIGHTS_TO_SURPLUS_ASSETS_ON_DISSOLUTION = "rightsToSurplusAssetsOnDissolution"
    RIGHTS_TO_PROFIT_OR_INCOME = "rightsToProfitOrIncome"
    RIGHTS_GRANTED_BY_CONTRACT = "rightsGrantedByContract"
    CONDITIONAL_RIGHTS_GRANTED_BY_CONTRACT = "conditionalRightsGrantedByContract"
    CONTROL_VIA_COMPANY_RULES_OR_ARTICLES = "controlViaCompanyRulesOrArticles"
    CONTROL_BY_LEGAL_FRAMEWORK = "controlByLegalFramework"
    BOARD_MEMBER = "boardMember"
    BOARD_CHAIR = "boardChair"
    UNKNOWN_INTEREST = "unknownInterest"
    UNPUBLISHED_INTEREST = "unpublishedInterest"
    ENJOYMENT_AND_USE_OF_ASSETS = "enjoymentAndUseOfAssets"
    RIGHT_TO_PROFIT_OR_INCOME_FROM_ASSETS = "rightToProfitOrIncomeFromAssets"


@dataclass(frozen=True)
class Party:
    """A company, person, state or arrangement that can hold or be held.

    `key` is the caller's stable id (a BODS recordId on import). `identifiers` are
    `SCHEME-ID` strings (see `shokei.ownership.bods.format_identifier`). `country` is an
    ISO 3166-1 alpha-2 code: jurisdiction for entities, nationality for persons.
    """

    key: str
    kind: EntityKind
    name: str
    country: str | None = None
    identifiers: tuple[str, ...] = ()

    @property
    def is_foreign(self) -> bool:
        """See `is_foreign`."""
        return is_foreign(self.kind, self.country)


def is_foreign(kind: EntityKind, country: str | None) -> bool:
    """Foreign means a non-Japanese company, person or state.

    A foreign company is foreign by kind. A person or a state is foreign when its country is
    known and is not Japan. Arrangements pass ownership through to their own holders, and an
    unknown party proves nothing, so neither counts as foreign by itself.
    """
    if kind is EntityKind.FOREIGN_COMPANY:
        return True
    if kind in (EntityKind.PERSON, EntityKind.STATE):
        return country is not None and country != JAPAN
    return False


@dataclass(frozen=True)
class Share:
    """A declared percentage: exact, or a range (BODS `share`). All values in percent."""

    exact: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    exclusive_minimum: Decimal | None = None
    exclusive_maximum: Decimal | None = None

    @classmethod
    def exactly(cls, percent: Decimal | int | str) -> Share:
        """An exact share, e.g. `Share.exactly("76.5")`."""
        return cls(exact=Decimal(percent))

    @property
    def lower(self) -> Decimal | None:
        """The least share known to be held (an exclusive bound is its infimum)."""
        for bound in (self.exact, self.minimum, self.exclusive_minimum):
            if bound is not None:
                return bound
        return None

    @property
    def upper(self) -> Decimal | None:
        """The most share that may be held (an exclusive bound is its supremum)."""
        for bound in (self.exact, self.maximum, self.exclusive_maximum):
            if bound is not None:
                return bound
        return None

    def fraction(self) -> float | None:
        """The lower bound as a 0-1 fraction: only what is known to be held is computed with."""
        lower = self.lower
        return None if lower is None else float(lower / HUNDRED)

    def values(self) -> tuple[Decimal, ...]:
        """Every bound given."""
        bounds = (self.exact, self.minimum, self.maximum, self.exclusive_minimum, self.exclusive_maximum)
        return tuple(value for value in bounds if value is not None)


@dataclass(frozen=True)
class Interest:
    """One holding of `owner` in `owned`: shares, votes and/or the right to appoint the board.

    `interest_type` keeps the BODS type (None where the source gave none). A declared
    indirect share (`directness` INDIRECT) is what someone asserted about a whole chain; it is
    shown beside the computed figure, never added to the direct stakes.
    """

    owner: str
    owned: str
    share: Share | None = None
    voting: Share | None = None
    appoints_board: bool = False
    directness: Directness = Directness.DIRECT
    start_date: date | None = None
    end_date: date | None = None
    source: str | None = None
    interest_type: InterestType | None = InterestType.SHAREHOLDING
    beneficial: bool | None = None
    details: str | None = None

    def is_active(self, on: date | None = None) -> bool:
        """Active on `on`; without a date, active means not ended."""
        if on is None:
            return self.end_date is None
        started = self.start_date is None or self.start_date <= on
        return started and (self.end_date is None or on < self.end_date)

    @property
    def counts_as_stake(self) -> bool:
        """A shareholding with a known share held without declared intermediaries.

        Stakes of unknown directness are counted: registers record plain holdings that way,
        and leaving them out would hide a foreign stake.
        """
        return (
            self.interest_type is InterestType.SHAREHOLDING
            and self.share is not None
            and self.share.lower is not None
            and self.directness is not Directness.INDIRECT
        )


class ProblemCode(StrEnum):
    NEGATIVE_SHARE = "negative_share"
    SHARE_OVER_100 = "share_over_100"
    RANGE_INVERTED = "range_inverted"
    OWNERS_OVER_100 = "owners_over_100"
    ENDS_BEFORE_START = "ends_before_start"


@dataclass(frozen=True)
class Problem:
    code: ProblemCode
    subject: str  # the key of the owned party the problem is about
    message: str


def validate_interests(interests: Iterable[Interest], on: date | None = None) -> list[Problem]:
    """Every invalid share and every company whose declared owners exceed 100 %.

    The sum uses the lower bound of each active stake: a range says at least that much is held,
    so lower bounds above 100 % in total cannot all be true.
    """
    interests = list(interests)
    problems = [problem for interest in interests for problem in _interest_problems(interest)]
    return problems + _oversubscribed(interest for interest in interests if interest.is_active(on))


def _interest_problems(interest: Interest) -> list[Problem]:
    problems = [
        Problem(code, interest.owned, f"{label} of {interest.owner} in {interest.owned}: {text}")
        for label, share in (("share", interest.share), ("voting share", interest.voting))
        if share is not None
        for code, text in _share_problems(share)
    ]
    if interest.start_date and interest.end_date and interest.end_date < interest.start_date:
        problems.append(
            Problem(
                ProblemCode.ENDS_BEFORE_START,
                interest.owned,
                f"interest of {interest.owner} in {interest.owned} ends before it starts",
            )
        )
    return problems


def _share_problems(share: Share) -> list[tuple[ProblemCode, str]]:
    problems: list[tuple[ProblemCode, str]] = []
    if any(value < 0 for value in share.values()):
        problems.append((ProblemCode.NEGATIVE_SHARE, "a share cannot be negative"))
    if any(value > HUNDRED for value in share.values()):
        problems.append((ProblemCode.SHARE_OVER_100, "a share cannot exceed 100 %"))
    lower, upper = share.lower, share.upper
    if lower is not None and upper is not None and lower > upper:
        problems.append((ProblemCode.RANGE_INVERTED, f"lower bound {lower} > upper bound {upper}"))
    return problems


def _oversubscribed(interests: Iterable[Interest]) -> list[Problem]:
    declared: defaultdict[str, Decimal] = defaultdict(Decimal)
    for interest in interests:
        if interest.counts_as_stake and interest.share is not None:
            declared[interest.owned] += interest.share.lower or Decimal(0)
    return [
        Problem(
            ProblemCode.OWNERS_OVER_100,
            owned,
            f"declared owners of {owned} hold {total} % in total, more than 100 %",
        )
        for owned, total in declared.items()
        if total > HUNDRED
    ]


@dataclass(frozen=True)
class Thresholds:
    """Fractions of ownership at which a change must be noticed.

    1 %: the prior-notification level for foreign investment in listed companies of designated
    sectors under Japan's Foreign Exchange and Foreign Trade Act (lowered from 10 % in 2020).
    10 %: the former level, still the usual "significant holding". 25 %: the usual beneficial
    ownership level (FATF, BODS publishers). 50 %: control (OFAC 50 % rule style attribution).
    """

    notification: float = 0.01
    significant: float = 0.10
    beneficial_owner: float = 0.25
    control: float = 0.50

    @property
    def levels(self) -> tuple[float, ...]:
        """The thresholds in ascending order."""
        return tuple(sorted((self.notification, self.significant, self.beneficial_owner, self.control)))


DEFAULT_THRESHOLDS = Thresholds()


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class ThresholdCrossing:
    threshold: float
    direction: Direction


def reaches(value: float, threshold: float) -> bool:
    """`value` is at or above `threshold` ("50 percent or more" reaches 50 %)."""
    return value >= threshold - THRESHOLD_TOLERANCE


def crossed_thresholds(
    before: float, after: float, thresholds: Thresholds | Sequence[float] = DEFAULT_THRESHOLDS
) -> list[ThresholdCrossing]:
    """The thresholds passed when a share moves from `before` to `after` (fractions 0-1).

    Listed in the order they are passed: ascending going up, descending going down.
    """
    levels = thresholds.levels if isinstance(thresholds, Thresholds) else tuple(sorted(thresholds))
    up = [
        ThresholdCrossing(level, Direction.UP)
        for level in levels
        if not reaches(before, level) and reaches(after, level)
    ]
    down = [
        ThresholdCrossing(level, Direction.DOWN)
        for level in reversed(levels)
        if reaches(before, level) and not reaches(after, level)
    ]
    return up + down


# -- foreign control and its alerts ------------------------------------------------------------

DEFAULT_ALERT_LEVELS: tuple[Decimal, ...] = (Decimal(1), Decimal(10), Decimal(25), Decimal(50))


def foreign_control(integrated: float, attributed: float) -> float:
    """The figure alerts and the watchlist compare with thresholds: the larger of two readings.

    Integrated ownership is the economic share foreign owners hold through every chain; the
    attributed share counts a company that is 50 % or more foreign-held as foreign in full,
    which is how Japan's Foreign Exchange and Foreign Trade Act defines a foreign investor.
    Either reading crossing a threshold is worth an official's attention.
    """
    return max(integrated, attributed)


def parse_alert_levels(values: Iterable[str | Decimal | int]) -> tuple[Decimal, ...]:
    """Threshold percentages, ascending and distinct; each above 0 and at most 100.

    Raises ValueError naming the first bad value.
    """
    levels: set[Decimal] = set()
    for value in values:
        try:
            level = Decimal(str(value).strip().rstrip("%"))
        except ArithmeticError:
            raise ValueError(f"threshold {value!r} is not a number") from None
        if not level.is_finite() or not Decimal(0) < level <= HUNDRED:
            raise ValueError(f"threshold {value!r} must be above 0 and at most 100 (percent)")
        levels.add(level)
    if not levels:
        raise ValueError("give at least one threshold")
    return tuple(sorted(levels))


@dataclass(frozen=True)
class AlertChanges:
    """Thresholds (percent) to raise an alert for, and open alerts to resolve."""

    to_raise: tuple[Decimal, ...]
    to_resolve: tuple[Decimal, ...]


def alert_changes(control: float, open_levels: Iterable[Decimal], levels: Sequence[Decimal]) -> AlertChanges:
    """What a company's foreign control (fraction 0-1) now asks of its alerts.

    An alert stays open for each configured threshold the company is at or above. A threshold
    reached without an open alert raises one; an open alert whose threshold is no longer
    reached, or no longer configured, is resolved.
    """
    open_set = set(open_levels)
    reached = {level for level in levels if reaches(control, float(level / HUNDRED))}
    return AlertChanges(
        to_raise=tuple(sorted(reached - open_set)), to_resolve=tuple(sorted(open_set - reached))
    )


@dataclass(frozen=True, slots=True)
class ForeignControlCrossed(Event):
    """A registry company's foreign control crossed alert thresholds (published in the
    transaction of the change that moved it: an ownership event, an import, a match, new
    thresholds). `raised`: the levels reached now; `resolved`: the levels fallen below."""

    company_id: int
    foreign_control: float  # fraction 0-1: max(integrated, attributed)
    raised: tuple[Decimal, ...]
    resolved: tuple[Decimal, ...]
    cause: str  # "ownership event 12", "match 3 accepted", ...


@dataclass(frozen=True, slots=True)
class CompanyHoldings(Command):
    """What copies of design documents the companies hold, for their alerts: answered by the
    succession feature (above this one) with {company id: (copies held, case ids)}."""

    company_ids: tuple[int, ...]
