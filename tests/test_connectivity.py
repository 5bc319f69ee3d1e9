"""Hybrid and cross-region connectivity as synthesized from the real program and stack files: where traffic to
the peer region and the sites goes, how the peering is requested, accepted and routed across the plan's passes,
the VPN tunnels, Direct Connect, and VPC peerings from config."""

import contextvars
import json
from functools import partial
from typing import Any

import pytest
from pulumi.runtime import rpc

from automation.project import Project, StackConfig
from automation.synth import StackResult, SynthError, SynthRun, _run_program, synth_all, synth_stack
from components.settings.loader import parse_settings
from components.settings.types import ConfigError
from tests.conftest import Graph

TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"
TGW_RT = "aws:ec2transitgateway/routeTable:RouteTable"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"
ASSOC = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
PROP = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
PEERING = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment"
ACCEPTER = "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter"
VPN = "aws:ec2/vpnConnection:VpnConnection"
DX_ASSOC = "aws:directconnect/gatewayAssociation:GatewayAssociation"
ROUTE = "aws:ec2/route:Route"
SIG, SECRET = rpc._special_sig_key, rpc._special_secret_sig


def segment(graph: Graph, name: str) -> Any:
    (table,) = [t for t in graph.of_type(TGW_RT) if t.inputs["tags"]["Segment"] == name]
    return table


def test_the_transit_gateway_is_segmented_with_its_own_asn(graph: Graph, stack: StackResult,
                                                           project: Project) -> None:
    settings = parse_settings(project.read_stack(stack.stack).values)
    assert settings.connectivity is not None
    (tgw,) = graph.of_type(TGW)
    assert tgw.inputs["amazonSideAsn"] == settings.connectivity.transit_gateway.asn
    assert (tgw.inputs["autoAcceptSharedAttachments"], tgw.inputs["defaultRouteTableAssociation"],
            tgw.inputs["defaultRouteTablePropagation"]) == ("disable", "disable", "disable")
    attachment = graph.one(ATTACHMENT, "tgw-vpc-attachment")
    subnets = [graph.ref(i) for i in attachment.inputs["subnetIds"]]
    assert {s.inputs["tags"]["SubnetGroup"] for s in subnets} == {"tgw"}
    assert sorted(s.inputs["availabilityZone"] for s in subnets) == sorted(settings.zones)
    assert all(ipaddress_prefix(s.inputs["cidrBlock"]) == 28 for s in subnets)
    assert attachment.inputs["transitGatewayDefaultRouteTableAssociation"] is False


def ipaddress_prefix(cidr: str) -> int:
    return int(cidr.split("/")[1])


def tgw_routes(graph: Graph, table: Any) -> dict[str, str]:
    return {r.inputs["destinationCidrBlock"]: r.inputs["transitGatewayAttachmentId"] for r in graph.of_type(TGW_ROUTE)
            if r.inputs["transitGatewayRouteTableId"] == table.id}


def test_segments_static_in_vpc_and_peering_propagated_only_into_the_vpn_and_direct_connect_tables(
    graph: Graph, stack: StackResult, synth_run: SynthRun, project: Project
) -> None:
    settings = parse_settings(project.read_stack(stack.stack).values)
    assert settings.connectivity is not None
    attachment = graph.one(ATTACHMENT, "tgw-vpc-attachment")
    vpc, hybrid, direct, peering = (segment(graph, n) for n in ("vpc", "hybrid", "direct-connect", "peering"))
    # The only propagations: the VPC attachment into the VPN ("hybrid") and Direct Connect tables, and on the
    # primary the analytics VPC's into the Direct Connect table (tests/test_analytics.py).
    analytics = [a.id for a in graph.of_type(ATTACHMENT) if a.name == "tgw-analytics-attachment"]
    assert sorted((p.inputs["transitGatewayAttachmentId"], p.inputs["transitGatewayRouteTableId"])
                  for p in graph.of_type(PROP)) == sorted(
        [(attachment.id, hybrid.id), (attachment.id, direct.id), *((a, direct.id) for a in analytics)])
    assert len(analytics) == (1 if stack.stack == "prod-us" else 0)
    assert tgw_routes(graph, hybrid) == tgw_routes(graph, direct) == {}
    # The peering table: only this VPC.
    assert tgw_routes(graph, peering) == {stack.outputs["vpcCidr"]: attachment.id}
    # The VPC table: static routes to the peer region, each site's own prefixes through its own VPN, and the
    # analytics prefixes through Direct Connect; nothing a site advertises over BGP.
    (vpn,) = graph.of_type(VPN)
    (dx,) = graph.of_type(DX_ASSOC)
    (site,) = settings.connectivity.vpn.customer_gateways
    peer = "prod-eu" if stack.stack == "prod-us" else "prod-us"
    assert tgw_routes(graph, vpc) == {
        synth_run.results[peer].outputs["vpcCidr"]: stack.outputs["tgwPeeringAttachmentId"],
        **{str(p): vpn.outputs["transitGatewayAttachmentId"] for p in site.prefixes},
        "172.20.0.0/16": dx.outputs["transitGatewayAttachmentId"],
    }
    assoc = {a.inputs["transitGatewayAttachmentId"]: a.inputs["transitGatewayRouteTableId"]
             for a in graph.of_type(ASSOC)}
    assert assoc[attachment.id] == vpc.id
    # The developer sites and the analytics network on premises each in a segment of their own.
    assert assoc[vpn.outputs["transitGatewayAttachmentId"]] == hybrid.id
    assert assoc[dx.outputs["transitGatewayAttachmentId"]] == direct.id
    # ... and Direct Connect moves into its table only once the VPCs' routes are propagated there.
    (dx_assoc,) = [a for a in graph.of_type(ASSOC) if a.inputs["transitGatewayAttachmentId"] ==
                   dx.outputs["transitGatewayAttachmentId"]]
    filling = {p.urn for p in graph.of_type(PROP) if p.inputs["transitGatewayRouteTableId"] == direct.id}
    assert filling and filling <= set(dx_assoc.dependencies)
    assert assoc[stack.outputs["tgwPeeringAttachmentId"]] == peering.id


def test_every_route_to_the_peer_region_targets_the_transit_gateway(synth_run: SynthRun) -> None:
    for name, peer in (("prod-us", "prod-eu"), ("prod-eu", "prod-us")):
        result = synth_run.results[name]
        graph = Graph(result)
        (tgw,) = graph.of_type(TGW)
        peer_cidr = synth_run.results[peer].outputs["vpcCidr"]
        to_peer = [r for r in graph.of_type(ROUTE) if r.inputs.get("destinationCidrBlock") == peer_cidr]
        tables = {r.inputs["routeTableId"] for r in to_peer}
        expected = {graph.route_table_of(s).id for s in graph.subnets("private") + graph.subnets("isolated")}
        assert tables == expected and len(to_peer) == len(expected) == 6
        assert all(r.inputs["transitGatewayId"] == tgw.id for r in to_peer)
        # They wait for the VPC attachment: a route to a TGW the VPC is not attached to fails.
        attachment = graph.one(ATTACHMENT, "tgw-vpc-attachment")
        assert all(attachment.urn in r.dependencies for r in to_peer)
        # The sites too, through one managed prefix list.
        sites = [r for r in graph.of_type(ROUTE) if r.inputs.get("destinationPrefixListId")]
        assert {r.inputs["routeTableId"] for r in sites} == expected
        assert all(r.inputs["transitGatewayId"] == tgw.id for r in sites)


def test_the_primary_requests_and_accepts_the_peering_in_the_other_region(synth_run: SynthRun) -> None:
    us, eu = synth_run.results["prod-us"], synth_run.results["prod-eu"]
    (peering,) = us.by_type(PEERING)
    assert peering.inputs["peerRegion"] == "eu-west-1"
    assert peering.inputs["peerTransitGatewayId"] == eu.outputs["transitGatewayId"]
    assert peering.inputs["transitGatewayId"] == us.outputs["transitGatewayId"]
    (accepter,) = us.by_type(ACCEPTER)
    assert accepter.inputs["region"] == "eu-west-1"  # accepted in the accepter's region
    assert accepter.inputs["transitGatewayAttachmentId"] == peering.id
    assert eu.by_type(PEERING) == [] and eu.by_type(ACCEPTER) == []
    # The primary's route and association wait for the acceptance.
    graph = Graph(us)
    (route,) = [r for r in graph.of_type(TGW_ROUTE) if r.inputs["transitGatewayAttachmentId"] == peering.id]
    assert route.inputs["destinationCidrBlock"] == eu.outputs["vpcCidr"]
    assert route.inputs["transitGatewayAttachmentId"] == peering.id
    assert route.inputs["transitGatewayRouteTableId"] == segment(graph, "vpc").id
    assoc = next(a for a in graph.of_type(ASSOC) if a.inputs["transitGatewayAttachmentId"] == peering.id)
    for waiting in (route, assoc):
        assert accepter.urn in waiting.dependencies
    assert us.outputs["tgwPeeringAttachmentId"] == peering.id


def test_the_secondary_routes_back_over_the_accepted_peering(synth_run: SynthRun) -> None:
    us, eu = synth_run.results["prod-us"], synth_run.results["prod-eu"]
    graph = Graph(eu)
    (route,) = [r for r in graph.of_type(TGW_ROUTE)
                if r.inputs["transitGatewayAttachmentId"] == us.outputs["tgwPeeringAttachmentId"]]
    assert route.inputs["destinationCidrBlock"] == us.outputs["vpcCidr"]
    assert eu.outputs["tgwPeeringAttachmentId"] == us.outputs["tgwPeeringAttachmentId"]
    assoc = next(a for a in graph.of_type(ASSOC)
                 if a.inputs["transitGatewayAttachmentId"] == us.outputs["tgwPeeringAttachmentId"])
    assert assoc.inputs["transitGatewayRouteTableId"] == segment(graph, "peering").id


def _to_peer(result: StackResult) -> list[Any]:
    return [r for r in result.by_type(TGW_ROUTE) if r.inputs["transitGatewayAttachmentId"].startswith("tgw-attach-")
            and r.inputs["destinationCidrBlock"] in ("10.10.0.0/16", "10.20.0.0/16")
            and r.inputs["destinationCidrBlock"] != result.outputs["vpcCidr"]]


def test_the_peering_appears_only_after_the_plans_passes(project: Project) -> None:
    # Step 1, prod-eu alone: its gateway, nothing of the peering, and it says what waits.
    eu1 = synth_stack(project, "prod-eu", {})
    assert _to_peer(eu1) == [] and eu1.by_type(DX_ASSOC) == []
    assert any("waits for prod-us to request and accept it" in m for _, m in eu1.logs)
    assert "tgwPeeringAttachmentId" not in eu1.outputs
    # Step 2, prod-us with prod-eu's outputs: the whole request, acceptance and its own side.
    us2 = synth_stack(project, "prod-us", {"prod-eu": eu1.outputs})
    assert len(us2.by_type(PEERING)) == len(us2.by_type(ACCEPTER)) == len(_to_peer(us2)) == 1
    # Step 3, prod-eu again: its side of the peering and its Direct Connect association.
    eu3 = synth_stack(project, "prod-eu", {"prod-us": us2.outputs})
    assert len(_to_peer(eu3)) == 1 and len(eu3.by_type(DX_ASSOC)) == 1
    # Steps 4 and 5 (the partners' API and PrivateLink's verification) leave the peering as it is.
    us4 = synth_stack(project, "prod-us", {"prod-eu": eu3.outputs})
    eu5 = synth_stack(project, "prod-eu", {"prod-us": us4.outputs})
    assert [r.inputs for r in us4.by_type(PEERING)] == [r.inputs for r in us2.by_type(PEERING)]
    assert us4.outputs["tgwPeeringAttachmentId"] == us2.outputs["tgwPeeringAttachmentId"]
    assert len(_to_peer(us4)) == len(_to_peer(eu5)) == 1 and len(eu5.by_type(DX_ASSOC)) == 1


def test_without_the_peers_outputs_the_primary_waits_and_says_so(project: Project) -> None:
    result = synth_stack(project, "prod-us", {})
    assert result.by_type(PEERING) == [] and _to_peer(result) == []
    assert any("cross-region peering waits for prod-eu's transitGatewayId" in m for _, m in result.logs)
    assert "tgwPeeringAttachmentId" not in result.outputs
    assert result.by_type(TGW) and result.by_type(VPN)  # everything that needs no peer is there


def test_vpn_tunnels_are_ikev2_with_strong_proposals_bgp_and_logs(graph: Graph) -> None:
    (vpn,) = graph.of_type(VPN)
    i = vpn.inputs
    assert i["transitGatewayId"] == graph.of_type(TGW)[0].id and i["staticRoutesOnly"] is False
    assert i["presharedKeyStorage"] == "SecretsManager"  # no keys in config: AWS generates and keeps them
    assert "tunnel1PresharedKey" not in i and "tunnel2PresharedKey" not in i
    for n in (1, 2):
        assert i[f"tunnel{n}IkeVersions"] == ["ikev2"]
        for phase in (1, 2):
            assert set(i[f"tunnel{n}Phase{phase}EncryptionAlgorithms"]) <= {"AES256", "AES256-GCM-16"}
            assert set(i[f"tunnel{n}Phase{phase}IntegrityAlgorithms"]) <= {"SHA2-256", "SHA2-384", "SHA2-512"}
            assert set(i[f"tunnel{n}Phase{phase}DhGroupNumbers"]) <= {19, 20, 21}
        logs = i[f"tunnel{n}LogOptions"]["cloudwatchLogOptions"]
        assert logs["logEnabled"] is True
        group = next(g for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup")
                     if g.outputs["arn"] == logs["logGroupArn"])
        assert group.inputs["kmsKeyId"] and group.inputs["retentionInDays"] == 365
    cgw = graph.ref(i["customerGatewayId"])
    assert cgw.inputs["type"] == "ipsec.1" and cgw.inputs["ipAddress"].startswith("203.0.113.")


def test_direct_connect_advertises_only_each_regions_vpcs(synth_run: SynthRun) -> None:
    """Each region's VPC, and on the primary the analytics VPC, where Direct Connect transfers land."""
    us, eu = synth_run.results["prod-us"], synth_run.results["prod-eu"]
    (gateway,) = us.by_type("aws:directconnect/gateway:Gateway")
    assert gateway.inputs["amazonSideAsn"] == "64600" and eu.by_type("aws:directconnect/gateway:Gateway") == []
    for result in (us, eu):
        (assoc,) = result.by_type(DX_ASSOC)
        assert assoc.inputs["dxGatewayId"] == gateway.id == us.outputs["dxGatewayId"]
        assert assoc.inputs["allowedPrefixes"] == [result.outputs["vpcCidr"], *(
            [result.outputs["analyticsVpcCidr"]] if result is us else [])]
        assert assoc.inputs["associatedGatewayId"] == result.outputs["transitGatewayId"]
    # No connection is configured: no virtual interface yet, and the primary says the gateway is ready.
    assert us.by_type("aws:directconnect/transitVirtualInterface:TransitVirtualInterface") == []
    # The analytics network is a site of both regions.
    for result in (us, eu):
        (sites,) = result.by_type("aws:ec2/managedPrefixList:ManagedPrefixList")
        assert "172.20.0.0/16" in {e["cidr"] for e in sites.inputs["entries"]}


PEERS = [
    {"name": "shared-services", "region": "us-west-2", "vpcId": "vpc-0a1b2c3d4e5f60718", "cidr": "10.40.0.0/16"},
    {"name": "partner-analytics", "accountId": "210987654321", "region": "us-east-1",
     "vpcId": "vpc-0f1e2d3c4b5a69788", "cidr": "10.50.0.0/16", "routeGroups": ["app", "data"]},
]


def test_vpc_peerings_from_config_accept_where_ours_and_route_only_where_needed(
    project_copy: Any, synth_run: SynthRun
) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:connectivity"]["vpcPeers"] = PEERS

    result = synth_stack(project_copy(edit), "prod-us", {"prod-eu": synth_run.results["prod-eu"].outputs})
    graph = Graph(result)
    conns = {c.name: c for c in graph.of_type("aws:ec2/vpcPeeringConnection:VpcPeeringConnection")}
    ours, partner = conns["peering-shared-services"], conns["peering-partner-analytics"]
    assert ours.inputs["peerRegion"] == "us-west-2" and ours.inputs["peerOwnerId"] == "123456789012"
    assert partner.inputs["peerOwnerId"] == "210987654321" and "autoAccept" not in partner.inputs
    (accepter,) = graph.of_type("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter")
    assert accepter.inputs["region"] == "us-west-2" and accepter.inputs["vpcPeeringConnectionId"] == ours.id
    # (The analytics peering is the analytics tier's: tests/test_analytics.py.)
    options = graph.application("aws:ec2/peeringConnectionOptions:PeeringConnectionOptions")
    assert {o.inputs.get("region") for o in options} == {None, "us-west-2"}
    assert all(o.inputs["vpcPeeringConnectionId"] == ours.id for o in options)  # the partner sets its own side
    routes = [r for r in graph.of_type(ROUTE) if r.inputs.get("vpcPeeringConnectionId") in (ours.id, partner.id)]
    by_peer: dict[str, set[str]] = {}
    for r in routes:
        by_peer.setdefault(r.inputs["vpcPeeringConnectionId"], set()).add(r.inputs["routeTableId"])
    app = {graph.route_table_of(s).id for s in graph.subnets("private", "app")}
    data = {graph.route_table_of(s).id for s in graph.subnets("isolated", "data")}
    assert by_peer[ours.id] == app and by_peer[partner.id] == app | data
    assert all(accepter.urn in r.dependencies for r in routes if r.inputs["vpcPeeringConnectionId"] == ours.id)


def _config_with_keys(project: Project, keys: dict[str, list[str]], secret: bool) -> StackConfig:
    real = project.read_stack("prod-us")
    return StackConfig(stack="prod-us", path=real.path,
                       values={**real.values, "securecart:vpnPreSharedKeys": json.dumps(keys)},
                       secret_keys=[*real.secret_keys, *(["securecart:vpnPreSharedKeys"] if secret else [])])


def _run(project: Project, config: StackConfig, synth_run: SynthRun) -> StackResult:
    run = partial(_run_program, main=project.main, project=project.name, config=config, region="us-east-1",
                  peer_outputs={"prod-eu": synth_run.results["prod-eu"].outputs}, known_stacks=project.stacks())
    return contextvars.Context().run(run)


def test_pre_shared_keys_come_from_secret_config(project: Project, synth_run: SynthRun) -> None:
    keys = {"dev-office-austin": ["k3yForTunnel.one", "k3yForTunnel_two"]}
    result = _run(project, _config_with_keys(project, keys, secret=True), synth_run)
    (vpn,) = result.by_type(VPN)
    # Each key reaches the engine as a secret (the SDK's secret envelope), never as plain text.
    for n, key in enumerate(keys["dev-office-austin"], start=1):
        assert vpn.inputs[f"tunnel{n}PresharedKey"] == {SIG: SECRET, "value": key}
    assert "presharedKeyStorage" not in vpn.inputs


def test_a_plain_text_pre_shared_key_is_refused_naming_the_key(project: Project, synth_run: SynthRun) -> None:
    keys = {"dev-office-austin": ["k3yForTunnel.one", "k3yForTunnel_two"]}
    with pytest.raises(ConfigError) as info:
        _run(project, _config_with_keys(project, keys, secret=False), synth_run)
    (problem,) = info.value.problems
    assert problem.startswith("securecart:vpnPreSharedKeys: is stored in plain text")
    assert "pulumi config set --secret securecart:vpnPreSharedKeys" in problem
    assert "k3yForTunnel" not in problem


def test_the_offline_synth_reads_an_encrypted_key_as_present(project_copy: Any) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:vpnPreSharedKeys"] = {"secure": "v1:AAAA..."}

    run = synth_all(project_copy(edit))
    (vpn,) = run.results["prod-us"].by_type(VPN)
    assert vpn.inputs["tunnel1PresharedKey"] == {SIG: SECRET, "value": "offline_secret.dev_office_austin.1"}


def test_bad_pre_shared_keys_are_described_without_echoing_them(project: Project, synth_run: SynthRun) -> None:
    with pytest.raises(ConfigError) as info:
        _run(project, _config_with_keys(project, {"dev-office-austin": ["0short"]}, secret=True), synth_run)
    (problem,) = info.value.problems
    assert problem.startswith("securecart:vpnPreSharedKeys.dev-office-austin: give two keys")
    assert "0short" not in problem


def test_an_overlapping_peer_or_a_duplicate_asn_fails_the_synth_naming_the_key(project_copy: Any) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        c = config["securecart:connectivity"]
        c["transitGateway"]["asn"] = 64512  # both stacks
        if stack == "prod-us":
            c["vpcPeers"] = [{"name": "overlap", "region": "us-east-1", "vpcId": "vpc-0a1b2c3d",
                              "cidr": "10.20.128.0/20"}]  # inside prod-eu's VPC

    with pytest.raises(SynthError) as info:
        synth_all(project_copy(edit))
    assert info.value.kind == "config"
    assert "securecart:connectivity.transitGateway.asn: prod-eu and prod-us both use 64512: peered Transit " \
           "Gateways need distinct ASNs" in info.value.problems
    assert any(p.startswith("securecart:connectivity: prod-us's vpcPeers 'overlap' (10.20.128.0/20) overlaps "
                            "prod-eu's VPC 10.20.0.0/16") for p in info.value.problems)


def test_the_program_checks_the_peer_at_deploy_time_too(project: Project, synth_run: SynthRun) -> None:
    """The stack-set check runs only where both stack files are at hand; `pulumi up` of one stack checks what its
    peer exported instead."""
    peer = {**synth_run.results["prod-eu"].outputs, "transitGatewayAsn": 64512, "routedNetworks": ["172.16.8.0/22"]}
    with pytest.raises(SynthError) as info:
        synth_stack(project, "prod-us", {"prod-eu": peer})
    assert info.value.kind == "config"
    # The same rules and words as the synth's check over both stack files (components/settings/cross_region.py).
    assert "securecart:connectivity.transitGateway.asn: prod-us and prod-eu both use 64512: peered Transit " \
           "Gateways need distinct ASNs" in info.value.problems
    assert "securecart:connectivity: prod-us's site prefix 172.16.0.0/20 overlaps prod-eu's routed network " \
           "172.16.8.0/22: SecureCart's sites need distinct networks" in info.value.problems


def test_a_four_byte_site_asn_goes_in_the_extended_field(project_copy: Any, synth_run: SynthRun) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:connectivity"]["vpn"]["customerGateways"][0]["bgpAsn"] = 4200000001

    result = synth_stack(project_copy(edit), "prod-us", {"prod-eu": synth_run.results["prod-eu"].outputs})
    (cgw,) = result.by_type("aws:ec2/customerGateway:CustomerGateway")
    assert cgw.inputs["bgpAsnExtended"] == "4200000001" and "bgpAsn" not in cgw.inputs


def test_a_malformed_secret_is_never_echoed(project: Project) -> None:
    raw = {**project.read_stack("prod-us").values,
           "securecart:vpnPreSharedKeys": json.dumps({"dev-office-austin": "SuperSecretKey123"})}
    with pytest.raises(ConfigError) as info:
        parse_settings(raw, secret_keys=["securecart:vpnPreSharedKeys"])
    assert info.value.problems == ["securecart:vpnPreSharedKeys.dev-office-austin: expected a list"]


def test_two_resources_with_one_name_fail_as_in_the_engine(tmp_path: Any, project: Project) -> None:
    (tmp_path / "__main__.py").write_text(
        "import pulumi_aws as aws, pulumi\n"
        "p = aws.Provider('p', region='us-east-1')\n"
        "for _ in range(2):\n"
        "    aws.ec2.Vpc('twin', cidr_block='10.9.0.0/16', opts=pulumi.ResourceOptions(provider=p))\n")
    with pytest.raises(SynthError) as info:
        synth_stack(project, "prod-us", {}, main=tmp_path / "__main__.py")
    assert "Duplicate resource URN" in info.value.problems[0]


def test_no_transit_gateway_route_table_routes_one_cidr_twice(graph: Graph) -> None:
    seen: dict[tuple[str, str], str] = {}
    for r in graph.of_type(TGW_ROUTE):
        key = (r.inputs["transitGatewayRouteTableId"], r.inputs["destinationCidrBlock"])
        assert key not in seen, f"{r.name} and {seen[key]} both route {key[1]}"
        seen[key] = r.name


def test_a_site_using_the_other_regions_analytics_prefix_is_refused(project_copy: Any) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-eu":
            config["securecart:connectivity"]["vpn"]["customerGateways"][0]["prefixes"] = ["172.20.0.0/16"]

    with pytest.raises(SynthError) as info:
        synth_all(project_copy(edit))
    assert any("site prefix 172.20.0.0/16 overlaps" in p for p in info.value.problems), info.value.problems


def test_a_vpc_peer_may_be_named_like_a_route_label(project_copy: Any, synth_run: SynthRun) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:connectivity"]["vpcPeers"] = [
                {"name": "region", "region": "us-east-1", "vpcId": "vpc-0a1b2c3d", "cidr": "10.60.0.0/16"},
                {"name": "on-premises", "region": "us-east-1", "vpcId": "vpc-0a1b2c3e", "cidr": "10.61.0.0/16"}]

    result = synth_stack(project_copy(edit), "prod-us", {"prod-eu": synth_run.results["prod-eu"].outputs})
    named = {c.id for c in result.by_type("aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
             if c.name in ("peering-region", "peering-on-premises")}
    assert len([r for r in result.by_type(ROUTE) if r.inputs.get("vpcPeeringConnectionId") in named]) == 6
