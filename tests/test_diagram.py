"""The architecture diagrams (automation/diagram.py): byte-identical output, well-formed SVG, every VPC, AZ column,
subnet band and service of the synthesized graph drawn, the cross-region links in the global diagram, columns
following the stack files' AZs, and a layout whose boxes never overlap and whose links land on their boxes."""

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from automation.diagram import render_global, render_stack, text_width, write_diagrams
from automation.project import Project
from automation.synth import StackResult, SynthRun, load_all_settings, synth_all
from components.settings.stack import StackSettings

NS = "{http://www.w3.org/2000/svg}"
STACKS = ("prod-us", "prod-eu")


@pytest.fixture(scope="module")
def settings(project: Project) -> dict[str, StackSettings]:
    return load_all_settings(project, project.stacks())


@pytest.fixture(scope="module")
def svgs(synth_run: SynthRun, settings: dict[str, StackSettings]) -> dict[str, str]:
    out = {name: render_stack(synth_run.results[name], settings[name]) for name in STACKS}
    out["global"] = render_global(synth_run, settings)
    return out


def boxes(svg: str) -> list[ET.Element]:
    return [g for g in ET.fromstring(svg).iter(f"{NS}g") if g.get("class") == "box"]


def of_kind(svg: str, kind: str) -> dict[str, ET.Element]:
    return {str(g.get("data-name")): g for g in boxes(svg) if g.get("data-kind") == kind}


def links(svg: str) -> list[ET.Element]:
    """The links drawn between boxes (not the legend's samples)."""
    return [g for g in ET.fromstring(svg).iter(f"{NS}g") if g.get("class") == "link" and g.get("data-link") != "legend"]


def rect(g: ET.Element) -> tuple[float, float, float, float]:
    r = g.find(f"{NS}rect")
    assert r is not None
    return float(r.get("x", 0)), float(r.get("y", 0)), float(r.get("width", 0)), float(r.get("height", 0))


def texts(g: ET.Element) -> list[str]:
    return [t.text or "" for t in g.findall(f"{NS}text")]


def all_text(g: ET.Element) -> str:
    return " ".join(t.text or "" for t in g.iter(f"{NS}text"))


# -- determinism and form -----------------------------------------------------------------------------------------

def test_rendering_twice_gives_the_same_bytes(synth_run: SynthRun, settings: dict[str, StackSettings],
                                              svgs: dict[str, str]) -> None:
    for name in STACKS:
        assert render_stack(synth_run.results[name], settings[name]) == svgs[name]
    assert render_global(synth_run, settings) == svgs["global"]


def test_a_second_synth_draws_the_same_bytes(project: Project, settings: dict[str, StackSettings],
                                             svgs: dict[str, str]) -> None:
    again = synth_all(project)
    assert {name: render_stack(again.results[name], settings[name]) for name in STACKS} == {
        name: svgs[name] for name in STACKS}
    assert render_global(again, settings) == svgs["global"]


def test_every_diagram_is_well_formed_svg_with_unique_ids(svgs: dict[str, str]) -> None:
    for name, svg in svgs.items():
        root = ET.fromstring(svg)
        assert root.tag == f"{NS}svg", name
        ids = [e.get("id") for e in root.iter() if e.get("id")]
        assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
        assert float(root.get("width", 0)) > 0 and float(root.get("height", 0)) > 0


def test_write_diagrams_writes_one_file_per_stack_and_a_global_one(synth_run: SynthRun,
                                                                   settings: dict[str, StackSettings],
                                                                   svgs: dict[str, str], tmp_path: Path) -> None:
    written = write_diagrams(synth_run, settings, tmp_path / "d")
    assert [p.name for p in written] == ["prod-us.svg", "prod-eu.svg", "global.svg"]  # primary first
    for path in written:
        assert path.read_text(encoding="utf-8") == svgs[path.stem]


# -- contents -------------------------------------------------------------------------------------------------------

# Hand-read from the stack files: the VPCs, their CIDRs, and the subnet groups of each with their tiers.
EXPECTED_VPCS = {
    "prod-us": {"vpc": "10.10.0.0/16", "analytics-vpc": "10.30.0.0/20"},
    "prod-eu": {"vpc": "10.20.0.0/16"},
}
EXPECTED_GROUPS = {
    ("prod-us", "vpc"): [("web", "public"), ("gwlbe", "public"), ("app", "private"), ("data", "isolated"),
                         ("inspect", "attachment"), ("tgw", "attachment")],
    ("prod-us", "analytics-vpc"): [("lake", "isolated"), ("tgw", "attachment")],
    ("prod-eu", "vpc"): [("web", "public"), ("gwlbe", "public"), ("app", "private"), ("data", "isolated"),
                         ("inspect", "attachment"), ("tgw", "attachment")],
}
AZS = {"prod-us": ["us-east-1a", "us-east-1b", "us-east-1c"], "prod-eu": ["eu-west-1a", "eu-west-1b", "eu-west-1c"]}


@pytest.mark.parametrize("name", STACKS)
def test_every_vpc_az_column_and_subnet_band_is_drawn_in_order(name: str, svgs: dict[str, str]) -> None:
    vpcs = of_kind(svgs[name], "vpc")
    assert {n: g.get("data-cidr") for n, g in vpcs.items()} == EXPECTED_VPCS[name]
    for vpc_name, vpc in vpcs.items():
        columns = [g for g in vpc if g.get("data-kind") == "az"]
        assert [g.get("data-az") for g in columns] == AZS[name]
        # the columns stand left to right in AZ order
        xs = [rect(g)[0] for g in columns]
        assert xs == sorted(xs)
        bands = [g for g in vpc if g.get("data-kind") == "subnet-group"]
        assert [(g.get("data-name"), g.get("data-tier")) for g in bands] == EXPECTED_GROUPS[(name, vpc_name)]
        ys = [rect(g)[1] for g in bands]
        assert ys == sorted(ys)  # public above private above isolated above attachment


@pytest.mark.parametrize("name", STACKS)
def test_every_subnet_is_a_cell_in_its_band_and_column_with_its_cidr(name: str, svgs: dict[str, str],
                                                                      synth_run: SynthRun) -> None:
    result: StackResult = synth_run.results[name]
    svg = svgs[name]
    vpc_names = {r.id: r.name for r in result.by_type("aws:ec2/vpc:Vpc")}
    vpcs = of_kind(svg, "vpc")
    subnets = result.by_type("aws:ec2/subnet:Subnet")
    assert len(subnets) == (24 if name == "prod-us" else 18)
    for s in subnets:
        vpc = vpcs[vpc_names[s.inputs["vpcId"]]]
        band = next(g for g in vpc if g.get("data-kind") == "subnet-group"
                    and g.get("data-name") == s.inputs["tags"]["SubnetGroup"])
        cell = next(g for g in band if g.get("data-kind") == "subnet" and g.get("data-name") == s.name)
        assert cell.get("data-cidr") == s.inputs["cidrBlock"]
        assert cell.get("data-az") == s.inputs["availabilityZone"]
        assert s.inputs["cidrBlock"] in texts(cell)
        column = next(g for g in vpc if g.get("data-kind") == "az" and g.get("data-az") == s.inputs["availabilityZone"])
        cx, _, cw, _ = rect(column)
        x, _, w, _ = rect(cell)
        assert cx <= x and x + w <= cx + cw  # the cell stands in its AZ's column


@pytest.mark.parametrize("name", STACKS)
def test_load_balancers_services_database_and_endpoints_sit_in_their_bands(name: str, svgs: dict[str, str]) -> None:
    vpc = of_kind(svgs[name], "vpc")["vpc"]
    bands = {str(g.get("data-name")): g for g in vpc if g.get("data-kind") == "subnet-group"}

    def kinds(band: str, kind: str) -> dict[str, ET.Element]:
        return {str(g.get("data-name")): g for g in bands[band] if g.get("data-kind") == kind}

    azs = " ".join(AZS[name])
    lbs = {n: (g.get("data-lb-type"), g.get("data-azs")) for b in bands for n, g in kinds(b, "load-balancer").items()}
    assert lbs == {"alb": ("ALB", azs), "accelerator-alb": ("ALB", azs), "endpoint-nlb": ("NLB", azs),
                   "payment-nlb": ("NLB", azs), "gwlb": ("GWLB", azs)}
    assert set(kinds("web", "load-balancer")) == {"alb"}
    assert set(kinds("inspect", "load-balancer")) == {"gwlb"}
    assert set(kinds("inspect", "auto-scaling-group")) == {"appliances-asg"}
    # min..max tasks from the scaling targets (the stack files' minTasks/maxTasks)
    services = {n: g.get("data-tasks") for n, g in kinds("app", "ecs-service").items()}
    assert services == {"checkout-service": "3..55", "integrations-service": "3..10", "payment-service": "3..26",
                        "storefront-service": "3..45"}
    (db,) = kinds("data", "rds").values()
    assert db.get("data-role") == ("primary" if name == "prod-us" else "replica")
    assert db.get("data-standby") == "true"
    (eps,) = kinds("app", "interface-endpoints").values()
    assert eps.get("data-count") == "9"
    nats = [b for cell in bands["web"] for b in cell if b.get("data-kind") == "nat"]
    assert len(nats) == 3  # one NAT gateway per AZ, each in its AZ's web cell


def test_data_stores_and_transit_gateway_are_drawn(svgs: dict[str, str]) -> None:
    us, eu = svgs["prod-us"], svgs["prod-eu"]
    assert of_kind(us, "dynamodb-table")["securecart-prod-sessions"].get("data-replicas") == "eu-west-1"
    assert of_kind(us, "s3-bucket")["securecart-prod-product-images-us-east-1"].get(
        "data-replicates-to") == "securecart-prod-product-images-eu-west-1"
    assert set(of_kind(eu, "s3-bucket")) == {"securecart-prod-product-images-eu-west-1"}
    assert of_kind(us, "log-buckets")["log buckets"].get("data-count") == "4"  # access, lb, edge, images logs
    assert of_kind(eu, "log-buckets")["log buckets"].get("data-count") == "3"
    for svg in (us, eu):
        assert set(of_kind(svg, "transit-gateway")) == {"tgw"}
    assert set(of_kind(us, "customer-gateway")) == {"cgw-dev-office-austin"}
    assert set(of_kind(eu, "customer-gateway")) == {"cgw-dev-office-berlin"}
    assert set(of_kind(us, "direct-connect-gateway")) == {"dx-gateway"}


def test_the_edge_is_above_the_region_with_arrows_to_its_load_balancers(svgs: dict[str, str]) -> None:
    us = svgs["prod-us"]
    edge = [g for g in boxes(us) if g.get("data-kind") in ("route53-zone", "cloudfront", "global-accelerator",
                                                           "waf-shield")]
    assert len(edge) == 4
    (region,) = of_kind(us, "region").values()
    assert all(rect(g)[1] + rect(g)[3] < rect(region)[1] for g in edge)
    targets = {(g.get("data-from", "").split(".")[1], g.get("data-to")) for g in links(us)
               if g.get("data-kind") == "edge"}
    assert ("zone", "prod-us.lb.alb") in targets  # the latency and geolocation records
    assert ("accelerator", "prod-us.lb.accelerator-alb") in targets  # the endpoint group
    assert ("cloudfront", "prod-us.bucket.images") in targets  # the images origin
    assert ("zone", "prod-us.api.partners-api") in targets  # the partners' custom domain
    assert not of_kind(svgs["prod-eu"], "cloudfront")  # the secondary owns no edge


def test_noise_is_folded_into_the_legend_not_drawn(svgs: dict[str, str], synth_run: SynthRun) -> None:
    us = svgs["prod-us"]
    drawn_kinds = {g.get("data-kind") for g in boxes(us)}
    assert not drawn_kinds & {"route", "route-table", "security-group", "network-acl", "alarm", "iam-role"}
    assert len(boxes(us)) < len(synth_run.results["prod-us"].resources) / 2
    legend = all_text(of_kind(us, "legend")["legend"])
    # 39 + 5 routes, 25 + 5 route tables, 25 + 5 associations, 3 propagations (ec2 and Transit Gateway)
    assert "107 routes and route tables" in legend
    assert "52 alarms and dashboards" in legend  # 49 metric alarms, 1 composite, 2 dashboards


# -- the global diagram ---------------------------------------------------------------------------------------------

def test_global_diagram_has_both_regions_side_by_side_and_the_cross_region_links(svgs: dict[str, str]) -> None:
    svg = svgs["global"]
    regions = of_kind(svg, "region")
    assert set(regions) == {"us-east-1", "eu-west-1"}
    us, eu = rect(regions["us-east-1"]), rect(regions["eu-west-1"])
    assert us[0] + us[2] < eu[0]  # primary on the left, a gutter between
    cross = {(g.get("data-link"), g.get("data-from"), g.get("data-to")) for g in links(svg)
             if g.get("data-kind") == "cross-region"}
    assert cross == {
        ("tgw-peering", "prod-us.tgw.tgw", "prod-eu.tgw.tgw"),
        ("s3-replication", "prod-us.bucket.images", "prod-eu.bucket.images"),
        ("dynamodb-replica", "prod-us.table.sessions", "prod-eu.table-replica.sessions"),
        ("rds-replica", "prod-us.rds.database", "prod-eu.rds.database"),
    }
    assert set(of_kind(svg, "dynamodb-replica")) == {"securecart-prod-sessions"}
    edge_targets = {g.get("data-to") for g in links(svg) if g.get("data-kind") == "edge"}
    assert {"prod-us.lb.alb", "prod-eu.lb.alb", "prod-us.lb.accelerator-alb",
            "prod-eu.lb.accelerator-alb"} <= edge_targets
    dx = [g for g in links(svg) if g.get("data-link") == "direct-connect"]
    assert {g.get("data-to") for g in dx} == {"prod-us.tgw.tgw", "prod-eu.tgw.tgw"}


# -- layout follows the settings ------------------------------------------------------------------------------------

def test_the_columns_follow_the_stack_files_availability_zones(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project]) -> None:
    """prod-us with four AZs (the settings refuse fewer than three): its application VPC draws four columns,
    every band a cell in each; the analytics VPC keeps its own three."""

    def four_azs(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:network"]["availabilityZones"] = ["a", "b", "c", "d"]

    copy = project_copy(four_azs)
    run = synth_all(copy)
    settings = load_all_settings(copy, copy.stacks())
    us = render_stack(run.results["prod-us"], settings["prod-us"])
    four = [*AZS["prod-us"], "us-east-1d"]
    vpcs = of_kind(us, "vpc")
    vpc = vpcs["vpc"]
    assert vpc.get("data-azs") == "4"
    assert [g.get("data-az") for g in vpc if g.get("data-kind") == "az"] == four
    for band in (g for g in vpc if g.get("data-kind") == "subnet-group"):
        assert [c.get("data-az") for c in band if c.get("data-kind") == "subnet"] == four
    assert {g.get("data-azs") for g in vpc.iter(f"{NS}g") if g.get("data-kind") == "load-balancer"} == {
        " ".join(four)}
    assert vpcs["analytics-vpc"].get("data-azs") == "3"
    assert [g.get("data-az") for g in vpcs["analytics-vpc"] if g.get("data-kind") == "az"] == AZS["prod-us"]
    # a column wider: 230 px and a 10 px gap
    assert rect(vpc)[2] - rect(vpcs["analytics-vpc"])[2] == 240
    eu = render_stack(run.results["prod-eu"], settings["prod-eu"])
    assert of_kind(eu, "vpc")["vpc"].get("data-azs") == "3"


# -- geometry ---------------------------------------------------------------------------------------------------------

def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(inner: tuple[float, float, float, float], outer: tuple[float, float, float, float]) -> bool:
    return (outer[0] <= inner[0] and inner[0] + inner[2] <= outer[0] + outer[2]
            and outer[1] <= inner[1] and inner[1] + inner[3] <= outer[1] + outer[3])


def children(parent: ET.Element) -> list[ET.Element]:
    return [g for g in parent if g.tag == f"{NS}g" and g.get("class") == "box" and g.get("data-layer") != "grid"]


@pytest.mark.parametrize("name", [*STACKS, "global"])
def test_sibling_boxes_never_overlap_and_stay_inside_their_parent(name: str, svgs: dict[str, str]) -> None:
    root = ET.fromstring(svgs[name])
    parents = [root, *boxes(svgs[name])]
    checked = 0
    for parent in parents:
        kids = children(parent)
        for a, b in itertools.combinations(kids, 2):
            assert not overlaps(rect(a), rect(b)), f"{name}: {a.get('id')} overlaps {b.get('id')}"
            checked += 1
        if parent is not root:
            for kid in kids:
                assert inside(rect(kid), rect(parent)), f"{name}: {kid.get('id')} leaves {parent.get('id')}"
    assert checked > 100


@pytest.mark.parametrize("name", [*STACKS, "global"])
def test_every_text_fits_inside_its_box(name: str, svgs: dict[str, str]) -> None:
    for g in boxes(svgs[name]):
        x, y, w, h = rect(g)
        for t in g.findall(f"{NS}text"):
            size = float(t.get("font-size", 11))
            tx, ty = float(t.get("x", 0)), float(t.get("y", 0))
            width = text_width(t.text or "", size)
            left = tx - width / 2 if t.get("text-anchor") == "middle" else tx
            assert x <= left and left + width <= x + w, f"{name}: {t.text!r} leaves {g.get('id')} sideways"
            assert y <= ty - size and ty <= y + h, f"{name}: {t.text!r} leaves {g.get('id')} vertically"


def on_border(point: tuple[float, float], r: tuple[float, float, float, float]) -> bool:
    x, y = point
    rx, ry, rw, rh = r
    near = 0.6
    within_x = rx - near <= x <= rx + rw + near
    within_y = ry - near <= y <= ry + rh + near
    return (within_x and (abs(y - ry) <= near or abs(y - ry - rh) <= near)) or (
        within_y and (abs(x - rx) <= near or abs(x - rx - rw) <= near))


@pytest.mark.parametrize("name", [*STACKS, "global"])
def test_every_link_starts_and_ends_on_the_border_of_its_boxes(name: str, svgs: dict[str, str]) -> None:
    by_id = {g.get("id"): g for g in boxes(svgs[name])}
    drawn = links(svgs[name])
    assert drawn
    for link in drawn:
        path = link.find(f"{NS}path")
        assert path is not None
        points = [tuple(float(v) for v in p.split(",")) for p in path.get("d", "").lstrip("M").split(" L")]
        source, target = by_id[link.get("data-from")], by_id[link.get("data-to")]
        assert on_border((points[0][0], points[0][1]), rect(source)), f"{link.get('id')} does not leave its source"
        assert on_border((points[-1][0], points[-1][1]), rect(target)), f"{link.get('id')} misses its target"
