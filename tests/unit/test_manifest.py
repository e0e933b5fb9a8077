"""The feature manifest names each part once, by reference: every reference must resolve, and no
two features may claim the same place on a surface (their order there would depend on chance)."""

from __future__ import annotations

import pytest

from shokei.manifest import FEATURES, Feature, Surface, load


@pytest.mark.parametrize("feature", FEATURES, ids=lambda feature: feature.name)
def test_every_declared_part_resolves(feature: Feature) -> None:
    for part in ("models", "handlers", "api", "cli", "pages"):
        reference = getattr(feature, part)
        if reference is not None:
            assert load(reference) is not None, f"{part} {reference}"


@pytest.mark.parametrize("surface", ["api", "cli", "pages"])
def test_places_on_a_surface_are_distinct(surface: Surface) -> None:
    present = [feature for feature in FEATURES if getattr(feature, surface) is not None]
    places = [feature.place(surface) for feature in present]
    assert len(set(places)) == len(places)
