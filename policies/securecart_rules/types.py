"""The Pulumi type tokens of every resource the pack reads, spelt once.

Rule modules name resource types only through these constants (a test holds them to it). Where pulumi-aws keeps two
tokens for one resource (``aws:alb/*`` aliases of ``aws:lb/*``, the S3 ``*V2`` resources of earlier versions), the
rules accept both, through the tuples below or the modules' own pairs.
"""

# --- EC2: VPC, subnets and routing --------------------------------------------------------------------------------
EC2_VPC = "aws:ec2/vpc:Vpc"
EC2_SUBNET = "aws:ec2/subnet:Subnet"
EC2_ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
EC2_ROUTE = "aws:ec2/route:Route"
EC2_ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
EC2_DEFAULT_ROUTE_TABLE = "aws:ec2/defaultRouteTable:DefaultRouteTable"
EC2_MAIN_ROUTE_TABLE_ASSOCIATION = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
EC2_INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
EC2_INTERNET_GATEWAY_ATTACHMENT = "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment"
EC2_EGRESS_ONLY_INTERNET_GATEWAY = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"
EC2_NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
EC2_EIP = "aws:ec2/eip:Eip"
EC2_VPN_GATEWAY = "aws:ec2/vpnGateway:VpnGateway"
EC2_FLOW_LOG = "aws:ec2/flowLog:FlowLog"
EC2_NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
EC2_NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
EC2_NETWORK_ACL_ASSOCIATION = "aws:ec2/networkAclAssociation:NetworkAclAssociation"

# --- EC2: endpoints and PrivateLink -------------------------------------------------------------------------------
EC2_VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
EC2_VPC_ENDPOINT_ROUTE_TABLE_ASSOCIATION = \
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation"
EC2_VPC_ENDPOINT_POLICY = "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy"
EC2_VPC_ENDPOINT_SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService"
EC2_VPC_ENDPOINT_SERVICE_ALLOWED_PRINCIPLE = \
    "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple"  # sic: pulumi-aws's spelling

# --- EC2 and VPC: security groups ---------------------------------------------------------------------------------
EC2_SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
EC2_DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
EC2_SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
VPC_SECURITY_GROUP_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"

# --- connectivity: peering, VPN, Transit Gateway, Direct Connect --------------------------------------------------
EC2_VPC_PEERING_CONNECTION = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
EC2_VPC_PEERING_CONNECTION_ACCEPTER = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter"
EC2_PEERING_CONNECTION_OPTIONS = "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions"
EC2_VPN_CONNECTION = "aws:ec2/vpnConnection:VpnConnection"
TGW_TRANSIT_GATEWAY = "aws:ec2transitgateway/transitGateway:TransitGateway"
TGW_VPC_ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
TGW_PEERING_ATTACHMENT = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment"
TGW_PEERING_ATTACHMENT_ACCEPTER = "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter"
TGW_ROUTE_TABLE = "aws:ec2transitgateway/routeTable:RouteTable"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"
TGW_ROUTE_TABLE_ASSOCIATION = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
TGW_ROUTE_TABLE_PROPAGATION = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
DIRECTCONNECT_GATEWAY_ASSOCIATION = "aws:directconnect/gatewayAssociation:GatewayAssociation"

# --- load balancing (aws:alb/* are aliases of aws:lb/*: rules accept both) ----------------------------------------
LB_LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
ALB_LOAD_BALANCER = "aws:alb/loadBalancer:LoadBalancer"
LB_LISTENER = "aws:lb/listener:Listener"
ALB_LISTENER = "aws:alb/listener:Listener"
LB_LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
ALB_LISTENER_RULE = "aws:alb/listenerRule:ListenerRule"
LB_TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
ALB_TARGET_GROUP = "aws:alb/targetGroup:TargetGroup"
LOAD_BALANCERS = (LB_LOAD_BALANCER, ALB_LOAD_BALANCER)
LISTENERS = (LB_LISTENER, ALB_LISTENER)
LISTENER_RULES = (LB_LISTENER_RULE, ALB_LISTENER_RULE)
TARGET_GROUPS = (LB_TARGET_GROUP, ALB_TARGET_GROUP)

# --- compute: ECS, ECR, Application Auto Scaling ------------------------------------------------------------------
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
ECS_SERVICE = "aws:ecs/service:Service"
ECS_TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
AWSX_ECR_REPOSITORY = "awsx:ecr:Repository"
APPAUTOSCALING_TARGET = "aws:appautoscaling/target:Target"
APPAUTOSCALING_POLICY = "aws:appautoscaling/policy:Policy"
APPAUTOSCALING_SCHEDULED_ACTION = "aws:appautoscaling/scheduledAction:ScheduledAction"
# EC2 instances the program launches (the GWLB's appliance fleet)
EC2_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
EC2_LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
EC2_INSTANCE = "aws:ec2/instance:Instance"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"

# --- data: RDS, DynamoDB, KMS, Secrets Manager --------------------------------------------------------------------
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
RDS_CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
DYNAMODB_TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica"
DYNAMODB_GLOBAL_TABLE = "aws:dynamodb/globalTable:GlobalTable"  # the 2017.11.29 version
KMS_KEY = "aws:kms/key:Key"
KMS_EXTERNAL_KEY = "aws:kms/externalKey:ExternalKey"
KMS_REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey"
KMS_REPLICA_EXTERNAL_KEY = "aws:kms/replicaExternalKey:ReplicaExternalKey"
SECRETSMANAGER_SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"

# --- data: S3 (v7 splits a bucket over resources; the *V2 tokens are earlier versions' names) ---------------------
S3_BUCKET = "aws:s3/bucket:Bucket"
S3_BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
S3_BUCKET_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_BUCKET_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
S3_BUCKET_VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
S3_BUCKET_SSE_CONFIGURATION = \
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
S3_BUCKET_SSE_CONFIGURATION_V2 = \
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
S3_BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
S3_BUCKET_LOGGING_V2 = "aws:s3/bucketLoggingV2:BucketLoggingV2"
S3_BUCKET_REPLICATION_CONFIG = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
S3_BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
S3_BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"
S3_BUCKET_ACL_V2 = "aws:s3/bucketAclV2:BucketAclV2"
S3_BUCKET_OWNERSHIP_CONTROLS = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
S3_BUCKET_LIFECYCLE_CONFIGURATION = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
S3_BUCKET_LIFECYCLE_CONFIGURATION_V2 = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
S3_BUCKETS = (S3_BUCKET, S3_BUCKET_V2)

# --- edge: CloudFront, Route 53, ACM, Global Accelerator, Shield, API Gateway, WAF --------------------------------
CLOUDFRONT_DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
ROUTE53_RECORD = "aws:route53/record:Record"
ROUTE53_ZONE = "aws:route53/zone:Zone"
ROUTE53_HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
ROUTE53_QUERY_LOG = "aws:route53/queryLog:QueryLog"
ACM_CERTIFICATE = "aws:acm/certificate:Certificate"
ACM_CERTIFICATE_VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
GLOBALACCELERATOR_ACCELERATOR = "aws:globalaccelerator/accelerator:Accelerator"
GLOBALACCELERATOR_ENDPOINT_GROUP = "aws:globalaccelerator/endpointGroup:EndpointGroup"
SHIELD_PROTECTION = "aws:shield/protection:Protection"
SHIELD_PROTECTION_HEALTH_CHECK_ASSOCIATION = \
    "aws:shield/protectionHealthCheckAssociation:ProtectionHealthCheckAssociation"
APIGATEWAY_REST_API = "aws:apigateway/restApi:RestApi"
APIGATEWAY_STAGE = "aws:apigateway/stage:Stage"
APIGATEWAY_METHOD = "aws:apigateway/method:Method"
APIGATEWAY_METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
APIGATEWAY_INTEGRATION = "aws:apigateway/integration:Integration"
APIGATEWAY_DOMAIN_NAME = "aws:apigateway/domainName:DomainName"
APIGATEWAYV2_STAGE = "aws:apigatewayv2/stage:Stage"
APIGATEWAYV2_ROUTE = "aws:apigatewayv2/route:Route"
API_STAGES = (APIGATEWAY_STAGE, APIGATEWAYV2_STAGE)
WAFV2_WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WAFV2_WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
WAFV2_WEB_ACL_LOGGING_CONFIGURATION = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"

# --- identity -----------------------------------------------------------------------------------------------------
IAM_POLICY = "aws:iam/policy:Policy"
IAM_ROLE = "aws:iam/role:Role"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy"
IAM_GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

# --- monitoring ---------------------------------------------------------------------------------------------------
CLOUDWATCH_METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
CLOUDWATCH_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
CLOUDWATCH_LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"  # vended logs (CloudFront v2)
CLOUDWATCH_LOG_DELIVERY = "aws:cloudwatch/logDelivery:LogDelivery"
CLOUDWATCH_COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
CLOUDWATCH_LOG_METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
CLOUDWATCH_ALARMS = (CLOUDWATCH_METRIC_ALARM, CLOUDWATCH_COMPOSITE_ALARM)
SNS_TOPIC = "aws:sns/topic:Topic"
SNS_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SNS_TOPIC_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
XRAY_ENCRYPTION_CONFIG = "aws:xray/encryptionConfig:EncryptionConfig"
XRAY_SAMPLING_RULE = "aws:xray/samplingRule:SamplingRule"
XRAY_GROUP = "aws:xray/group:Group"

AWS_PACKAGE = "aws:"  # the prefix of every pulumi-aws token (required-tags reads only these)
