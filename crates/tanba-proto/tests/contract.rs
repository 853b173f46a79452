//! The wire contract documents itself: every service, method, message, field, enum and enum value
//! in `proto/tanba/v1` carries a comment (the issue: "every request and response message is
//! documented in the proto"), and the services the issue names are all there.

use prost::Message;
use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorSet};

/// Field numbers of `FileDescriptorProto`, `DescriptorProto` and friends, as `SourceCodeInfo`
/// paths use them (descriptor.proto).
const FILE_MESSAGE_TYPE: i32 = 4;
const FILE_ENUM_TYPE: i32 = 5;
const FILE_SERVICE: i32 = 6;
const MESSAGE_FIELD: i32 = 2;
const MESSAGE_NESTED_TYPE: i32 = 3;
const MESSAGE_ENUM_TYPE: i32 = 4;
const ENUM_VALUE: i32 = 2;
const SERVICE_METHOD: i32 = 2;

fn set() -> FileDescriptorSet {
    FileDescriptorSet::decode(tanba_proto::FILE_DESCRIPTOR_SET).expect("the descriptor set decodes")
}

/// Every path that must have a leading comment, with a name for the failure message.
fn documented_paths(
    messages: &[DescriptorProto],
    enums: &[EnumDescriptorProto],
    prefix: &[i32],
    message_tag: i32,
    enum_tag: i32,
    out: &mut Vec<(Vec<i32>, String)>,
) {
    for (index, message) in messages.iter().enumerate() {
        // A map field's entry message is the compiler's, not written in the file: its field
        // carries the comment.
        if message
            .options
            .as_ref()
            .is_some_and(|options| options.map_entry())
        {
            continue;
        }
        let path: Vec<i32> = [prefix, &[message_tag, index as i32]].concat();
        out.push((path.clone(), format!("message {}", message.name())));
        for (field_index, field) in message.field.iter().enumerate() {
            let field_path = [path.as_slice(), &[MESSAGE_FIELD, field_index as i32]].concat();
            out.push((
                field_path,
                format!("field {}.{}", message.name(), field.name()),
            ));
        }
        documented_paths(
            &message.nested_type,
            &message.enum_type,
            &path,
            MESSAGE_NESTED_TYPE,
            MESSAGE_ENUM_TYPE,
            out,
        );
    }
    for (index, enumeration) in enums.iter().enumerate() {
        let path: Vec<i32> = [prefix, &[enum_tag, index as i32]].concat();
        out.push((path.clone(), format!("enum {}", enumeration.name())));
        for (value_index, value) in enumeration.value.iter().enumerate() {
            let value_path = [path.as_slice(), &[ENUM_VALUE, value_index as i32]].concat();
            out.push((value_path, format!("enum value {}", value.name())));
        }
    }
}

#[test]
fn every_element_of_the_contract_is_documented() {
    let mut undocumented = Vec::new();
    let mut checked = 0;
    for file in set()
        .file
        .iter()
        .filter(|file| file.package() == "tanba.v1")
    {
        let info = file.source_code_info.as_ref().expect("source info is kept");
        let commented = |path: &[i32]| {
            info.location.iter().any(|location| {
                location.path == path
                    && location
                        .leading_comments
                        .as_deref()
                        .is_some_and(|comment| !comment.trim().is_empty())
            })
        };
        let mut paths = Vec::new();
        documented_paths(
            &file.message_type,
            &file.enum_type,
            &[],
            FILE_MESSAGE_TYPE,
            FILE_ENUM_TYPE,
            &mut paths,
        );
        for (index, service) in file.service.iter().enumerate() {
            let path = vec![FILE_SERVICE, index as i32];
            paths.push((path.clone(), format!("service {}", service.name())));
            for (method_index, method) in service.method.iter().enumerate() {
                let method_path =
                    [path.as_slice(), &[SERVICE_METHOD, method_index as i32]].concat();
                paths.push((
                    method_path,
                    format!("rpc {}.{}", service.name(), method.name()),
                ));
            }
        }
        for (path, name) in paths {
            checked += 1;
            if !commented(&path) {
                undocumented.push(format!("{}: {name}", file.name()));
            }
        }
    }
    println!("checked {checked} elements of tanba.v1 for a comment");
    assert!(checked > 300, "the contract was read ({checked})");
    assert!(undocumented.is_empty(), "undocumented: {undocumented:#?}");
}

#[test]
fn the_services_the_issue_names_are_there() {
    let mut services: Vec<String> = set()
        .file
        .iter()
        .flat_map(|file| file.service.iter().map(|service| service.name().to_owned()))
        .collect();
    services.sort();
    assert_eq!(
        services,
        [
            "AuditService",
            "AuthService",
            "CasesService",
            "CodesService",
            "DataExportService",
            "DocumentsService",
            "EmissionService",
            "FeedService",
            "PublicCheckService",
            "RecallService",
            "ReferenceService",
            "RegistryService",
            "RetailService",
            "StateServicesService",
            "StatisticsService",
        ]
    );
}

#[test]
fn generated_messages_round_trip() {
    use tanba_proto::v1::{CheckRequest, Language};
    let request = CheckRequest {
        code: "(01)04870000000005(21)ABC".into(),
        language: Language::Kk as i32,
    };
    let bytes = request.encode_to_vec();
    assert_eq!(CheckRequest::decode(bytes.as_slice()).unwrap(), request);
}
