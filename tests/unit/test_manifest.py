"""The feature manifest names each part once, by reference: every reference must resolve, and a
surface's order names each of its features once, and only declared features."""

from __future__ import annotations

import inspect

import pytest

from shokei.manifest import FEATURES, ORDER, Feature, Surface, cli_loaded_with, load


@pytest.mark.parametrize("feature", FEATURES, ids=lambda feature: feature.name)
def test_every_declared_part_resolves(feature: Feature) -> None:
    for part in ("models", "handlers", "api", "cli", "pages"):
        reference = getattr(feature, part)
        if reference is not None:
            assert load(reference) is not None, f"{part} {reference}"


@pytest.mark.parametrize("surface", ["api", "cli", "pages"])
def test_a_surface_orders_declared_features_once_each(surface: Surface) -> None:
    order = ORDER[surface]
    assert len(set(order)) == len(order)
    assert set(order) <= {feature.name for feature in FEATURES}


@pytest.mark.parametrize(
    "feature", [f for f in FEATURES if f.cli is not None], ids=lambda feature: feature.name
)
def test_declared_commands_are_what_the_cli_module_registers(feature: Feature) -> None:
    """`shokei --help` shows the manifest's names and help without importing the feature: they
    must be, in order, the groups and commands its `cli` adds, with the same first line of help;
    the groups it adds commands to must be the ones it declares it extends."""
    import typer

    assert feature.cli is not None
    scratch = typer.Typer()
    name = (*feature.cli_groups, *feature.cli_commands)[0][0]
    for other in cli_loaded_with(name):  # the groups it extends first, as `shokei` registers them
        if other.name == feature.name:
            break
        assert other.cli is not None
        load(other.cli)(scratch)
    groups_before, commands_before = len(scratch.registered_groups), len(scratch.registered_commands)
    extended = {
        info.name: len(info.typer_instance.registered_commands)
        for info in scratch.registered_groups
        if info.typer_instance is not None
    }
    load(feature.cli)(scratch)
    groups = [
        (info.name, info.typer_instance.info.help) for info in scratch.registered_groups[groups_before:]
    ]
    commands = [
        (info.name, inspect.cleandoc(info.callback.__doc__ or "").split("\n\n")[0])
        for info in scratch.registered_commands[commands_before:]
        if info.callback is not None
    ]
    grown = [
        info.name
        for info in scratch.registered_groups[:groups_before]
        if info.typer_instance is not None
        and len(info.typer_instance.registered_commands) > extended[info.name]
    ]
    assert groups == list(feature.cli_groups)
    assert commands == list(feature.cli_commands)
    assert grown == list(feature.cli_extends)
