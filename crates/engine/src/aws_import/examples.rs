//! Real-looking AWS documents (shapes from the AWS API and CloudFormation references, values made up): the
//! importer's tests and the fuzz target's seeds.

/// Each document by file name: describe output, create / register input, and CloudFormation templates.
pub const ALL: [(&str, &str); 8] = [
    ("describe-task-definition-web.json", include_str!("testdata/describe-task-definition-web.json")),
    ("register-task-definition-worker.json", include_str!("testdata/register-task-definition-worker.json")),
    ("describe-services.json", include_str!("testdata/describe-services.json")),
    ("create-service-api.json", include_str!("testdata/create-service-api.json")),
    ("describe-capacity-providers.json", include_str!("testdata/describe-capacity-providers.json")),
    ("describe-auto-scaling-groups.json", include_str!("testdata/describe-auto-scaling-groups.json")),
    ("template.json", include_str!("testdata/template.json")),
    ("template.yaml", include_str!("testdata/template.yaml")),
];
