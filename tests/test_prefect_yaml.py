"""prefect.yaml names a real flow at every entrypoint, with parameters that flow accepts."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path

import yaml
from prefect import Flow

ROOT = Path(__file__).resolve().parent.parent


def load_entrypoint(entrypoint: str) -> object:
    path, _, name = entrypoint.partition(":")
    spec = importlib.util.spec_from_file_location(Path(path).stem, ROOT / path)
    assert spec is not None and spec.loader is not None, f"{path} does not exist"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def test_every_deployment_entrypoint_is_a_flow_that_takes_its_parameters() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployments = config["deployments"]
    assert deployments, "prefect.yaml has no deployments"
    for deployment in deployments:
        flow = load_entrypoint(deployment["entrypoint"])
        assert isinstance(flow, Flow), f"{deployment['entrypoint']} is not a Prefect flow"
        accepted = inspect.signature(flow.fn).parameters
        for parameter in deployment.get("parameters", {}):
            assert parameter in accepted, f"{deployment['name']}: {flow.name} has no {parameter!r}"
        for schedule in deployment.get("schedules", []):
            for parameter in schedule.get("parameters", {}):
                assert parameter in accepted, f"{deployment['name']}: schedule sets {parameter!r}"


def test_every_flow_in_flows_has_a_deployment() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployed = {d["entrypoint"] for d in config["deployments"]}
    for path in sorted((ROOT / "flows").glob("*.py")):
        source = path.read_text()
        for line in source.splitlines():
            if line.startswith("def ") and "@flow" in source:
                name = line.removeprefix("def ").split("(")[0]
                module = load_entrypoint(f"flows/{path.name}:{name}")
                if isinstance(module, Flow):
                    assert f"flows/{path.name}:{name}" in deployed, f"flow {name} is not deployed"


def test_every_schedule_is_a_valid_prefect_schedule() -> None:
    from prefect.client.schemas.schedules import CronSchedule, IntervalSchedule

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    scheduled = {}
    for deployment in config["deployments"]:
        for schedule in deployment.get("schedules", []):
            if "cron" in schedule:
                CronSchedule(cron=schedule["cron"], timezone=schedule.get("timezone"))
            else:
                IntervalSchedule(interval=schedule["interval"])
            scheduled[deployment["name"]] = True
    assert scheduled.get("watch-deadlines"), "watch_deadlines must run on a schedule (SPEC §6)"
