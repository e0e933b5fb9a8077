"""Ownership in the web pages: the company profile's foreign-control section.

Direct, integrated and attributed foreign control (as percentages), the split by the country of
the ultimate owners, and a picture of the ownership chains: a server-rendered SVG, layered with
the ultimate owners at the top and the company at the bottom, each edge labelled with the share
held, foreign entities marked with their country. A list of the chains says the same in text.
Everything comes from `ownership.services.foreign_control_of`, which decides who may see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from shokei.errors import Forbidden, NotFound
from shokei.ownership import services
from shokei.ownership.domain import EntityKind, is_foreign
from shokei.ownership.schemas import ControlView, EntityRef
from shokei.web.i18n import N_
from shokei.web.i18n import gettext as _
from shokei.web.registry import COMPANY, Box, BoxContext, FeaturePages
from shokei.web.routing import page_router
from shokei.web.templating import render_box

router = page_router()

KIND_LABELS: dict[str, str] = {
    EntityKind.REGISTERED_COMPANY: N_("Japanese company"),
    EntityKind.FOREIGN_COMPANY: N_("Foreign company"),
    EntityKind.PERSON: N_("Person"),
    EntityKind.STATE: N_("State or state body"),
    EntityKind.ARRANGEMENT: N_("Trust or arrangement"),
    EntityKind.UNKNOWN: N_("Unknown holder"),
}


def declared_share(declared: dict[str, str]) -> str:
    """A declared share as BODS gives it (decimal percent text): 76.5%, or a range 10%–20%."""
    if "exact" in declared:
        return f"{declared['exact']}%"
    low = declared.get("minimum") or declared.get("exclusive_minimum")
    high = declared.get("maximum") or declared.get("exclusive_maximum")
    if low is None and high is None:
        return "—"
    return f"{low or '0'}%–{high or '100'}%"


def kind_label(kind: str) -> str:
    msgid = KIND_LABELS.get(kind)
    return _(msgid) if msgid else kind


def _foreign(entity: EntityRef) -> bool:
    try:
        return is_foreign(EntityKind(entity.kind), entity.country)
    except ValueError:
        return False


# -- the picture ------------------------------------------------------------------------------

NODE_WIDTH, NODE_HEIGHT = 210, 58
GAP_X, GAP_Y = 36, 96
MARGIN = 16
NAME_UNITS = 24  # how much of a name fits in a box: a CJK character counts 2, others 1


@dataclass
class Node:
    reference: str
    name: str
    short_name: str
    kind: str
    country: str | None
    foreign: bool
    subject: bool
    ultimate: bool
    layer: int = 0
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class Edge:
    """A stake drawn as an SVG path (`d`), labelled with the share at (`label_x`, `label_y`)."""

    owner: str
    owned: str
    share: float
    path: str
    label_x: float
    label_y: float


@dataclass
class Picture:
    width: float
    height: float
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _short(name: str) -> str:
    units, kept = 0, list[str]()
    for char in name:
        width = 2 if ord(char) > 0x2E7F else 1
        if units + width > NAME_UNITS:
            return "".join(kept).rstrip() + "…"
        units += width
        kept.append(char)
    return name


def _node(entity: EntityRef, *, subject: bool = False) -> Node:
    return Node(
        reference=entity.reference,
        name=entity.name,
        short_name=_short(entity.name),
        kind=entity.kind,
        country=entity.country,
        foreign=_foreign(entity),
        subject=subject,
        ultimate=False,
    )


def _collect(view: ControlView) -> tuple[dict[str, Node], dict[tuple[str, str], float]]:
    """The entities of the chains and the direct holders, each at its distance above the company
    (the longest along the chains shown), and the stakes between them (holder, held) -> share."""
    subject = view.entity.reference
    nodes: dict[str, Node] = {subject: _node(view.entity, subject=True)}
    shares: dict[tuple[str, str], float] = {}
    for chain in view.chains:
        steps = chain.path
        for index, step in enumerate(steps):
            node = nodes.setdefault(step.reference, _node(step))
            node.layer = max(node.layer, len(steps) - 1 - index)
            node.ultimate = node.ultimate or (index == 0 and step.reference != subject)
            if step.holds is not None and index + 1 < len(steps):
                shares[(step.reference, steps[index + 1].reference)] = step.holds
    for owner in view.owners:
        if owner.direct > 0 and owner.reference != subject:
            node = nodes.setdefault(owner.reference, _node(owner))
            node.layer = max(node.layer, 1)
            shares.setdefault((owner.reference, subject), owner.direct)
    return nodes, shares


def _order_layers(
    layers: dict[int, list[Node]], shares: dict[tuple[str, str], float], subject: str
) -> dict[str, float]:
    """Each entity's horizontal slot (0 = centre), a layer at a time from the company up, ordered
    by the mean slot of what it holds (the barycentre heuristic), ties in the order found."""
    slots: dict[str, float] = {subject: 0.0}
    holdings: dict[str, list[str]] = {}
    for holder, held in shares:
        holdings.setdefault(holder, []).append(held)
    for layer in sorted(number for number in layers if number > 0):
        members = layers[layer]
        found = {node.reference: index for index, node in enumerate(members)}
        placed = dict(slots)

        def barycentre(
            node: Node, found: dict[str, int] = found, placed: dict[str, float] = placed
        ) -> tuple[float, int]:
            below = [placed[held] for held in holdings.get(node.reference, []) if held in placed]
            first = found[node.reference]
            return (sum(below) / len(below) if below else float(first), first)

        members.sort(key=barycentre)
        for index, node in enumerate(members):
            slots[node.reference] = index - (len(members) - 1) / 2
    return slots


BOW_STEP = 16  # between detours that pass the same layers


def _route(
    nodes: dict[str, Node], shares: dict[tuple[str, str], float], width: float
) -> tuple[list[Edge], float]:
    """A straight arrow between adjacent layers (holder above, held below); any other stake
    (across layers, or upwards in a cross-holding) detours to the right of every box in the
    layers it passes, so no line runs through a box. Returns the edges and the width they need."""
    edges, detours = [], 0
    for (holder, held), share in shares.items():
        upper, lower = nodes[holder], nodes[held]
        if upper.layer == lower.layer + 1:
            x1, y1 = upper.x + NODE_WIDTH / 2, upper.y + NODE_HEIGHT
            x2, y2 = lower.x + NODE_WIDTH / 2, lower.y
            path = f"M {x1:g} {y1:g} L {x2:g} {y2:g}"
            edges.append(Edge(holder, held, share, path, round((x1 + x2) / 2, 1), round((y1 + y2) / 2, 1)))
            continue
        low, high = sorted((upper.layer, lower.layer))
        passed = [node.x + NODE_WIDTH for node in nodes.values() if low <= node.layer <= high]
        bow = round(max(passed) + GAP_X / 2 + detours * BOW_STEP, 1)
        detours += 1
        x1, y1 = upper.x + NODE_WIDTH, round(upper.y + NODE_HEIGHT / 2, 1)
        x2, y2 = lower.x + NODE_WIDTH, round(lower.y + NODE_HEIGHT / 2, 1)
        path = f"M {x1:g} {y1:g} L {bow:g} {y1:g} L {bow:g} {y2:g} L {x2:g} {y2:g}"
        edges.append(Edge(holder, held, share, path, bow, round((y1 + y2) / 2, 1)))
        width = max(width, bow + 40 + MARGIN)
    return edges, width


def ownership_picture(view: ControlView) -> Picture | None:
    """Lay out the chains (and the direct holders) of `view`, None when there is nothing above.

    Layers count up from the company (0): an entity sits above everything it holds along the
    chains shown, and the ultimate owners are lifted to the top layer. Within a layer, entities
    are ordered by the mean position of what they hold, so edges cross as little as possible.
    """
    nodes, shares = _collect(view)
    if len(nodes) == 1:
        return None
    top = max(node.layer for node in nodes.values())
    layers: dict[int, list[Node]] = {}
    for node in nodes.values():  # in the order found: the chains carrying most come first
        if node.ultimate:
            node.layer = top
        layers.setdefault(node.layer, []).append(node)
    slots = _order_layers(layers, shares, view.entity.reference)
    widest = max(len(members) for members in layers.values())
    width: float = widest * NODE_WIDTH + (widest - 1) * GAP_X + 2 * MARGIN
    height = (top + 1) * NODE_HEIGHT + top * GAP_Y + 2 * MARGIN
    for node in nodes.values():
        centre = width / 2 + slots[node.reference] * (NODE_WIDTH + GAP_X)
        node.x = round(centre - NODE_WIDTH / 2, 1)
        node.y = round(MARGIN + (top - node.layer) * (NODE_HEIGHT + GAP_Y), 1)
    edges, width = _route(nodes, shares, width)
    return Picture(width, height, list(nodes.values()), edges)


# -- the company profile's section ------------------------------------------------------------


def _ownership_box(context: BoxContext) -> Markup | None:
    company = context.subject
    reference = company.corporate_number or company.foreign_id
    if not reference:
        return None
    try:
        view = services.foreign_control_of(context.shokei.uow, context.actor, reference)
    except Forbidden:
        return None
    except NotFound:
        view = None  # a foreign registry company nobody has recorded in the ownership data
    countries = sorted(view.by_country.items(), key=lambda item: (-item[1], item[0])) if view else []
    return render_box(
        context.request,
        "ownership/_company_box.html",
        {
            "view": view,
            "company": company,
            "countries": countries,
            "picture": ownership_picture(view) if view else None,
        },
    )


pages = FeaturePages(
    name="ownership",
    router=router,
    templates=Path(__file__).parent / "templates",
    boxes=(Box(COMPANY, "ownership", _ownership_box),),
    template_globals={"entity_kind_label": kind_label, "declared_share": declared_share},
)
