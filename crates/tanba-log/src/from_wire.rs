//! `tanba.log.v1` messages back into the engine's values: every identifier parsed and checked,
//! every required message present, every enum value known, or a [`LogError`] naming the field.

use std::collections::{BTreeMap, BTreeSet};

use std::net::IpAddr;
use tanba_types::case::{
    AttachmentRef, CaseOpening, CaseStep, ClockChange, DayUnit, Decimal, DocumentNumber, Due,
    ExportAuthorization, ExportUsed, FieldValue, Form, GoodsScope, Holding, LegalClock, Notice,
    Run, Rung, Scalar, StageReport, SweepJob, SweepPhase, Texts,
};
use tanba_types::{
    Actor, Category, CodeKey, DataExportKind, Date, ErrorNote, Event, FiscalAgency, Gtin, HsCode,
    Introduction, IssuedCode, IssuedTail, Names, PackageLevel, Participant, ParticipantKey,
    ParticipantStatus, Product, RefusedLine, RegisterEntry, RegisterRefresh, RegistrationStatus,
    RevocationUpdate, Role, SaleLine, Serial, TailProfile, TaxpayerId, WithdrawalReason,
};
use tanba_types::{
    FlagReason, Location, PhotoFormat, PhotoRef, SealedContact, ViolationKind, ViolationReport,
};

use crate::pb::record::Event as E;
use crate::{LogError, LogRecord, pb};

type Result<T> = std::result::Result<T, LogError>;

fn malformed(field: &'static str) -> LogError {
    LogError::Malformed { field }
}

fn required<T>(field: &'static str, value: Option<T>) -> Result<T> {
    value.ok_or(malformed(field))
}

fn taxpayer(field: &'static str, text: &str) -> Result<TaxpayerId> {
    TaxpayerId::parse(text).map_err(|_| malformed(field))
}

fn taxpayers(field: &'static str, texts: &[String]) -> Result<Vec<TaxpayerId>> {
    texts.iter().map(|text| taxpayer(field, text)).collect()
}

fn code(field: &'static str, text: &str) -> Result<CodeKey> {
    text.parse().map_err(|_| malformed(field))
}

fn codes(field: &'static str, texts: &[String]) -> Result<Vec<CodeKey>> {
    texts.iter().map(|text| code(field, text)).collect()
}

fn date(field: &'static str, text: &str) -> Result<Date> {
    text.parse().map_err(|_| malformed(field))
}

fn optional_date(field: &'static str, text: Option<&String>) -> Result<Option<Date>> {
    text.map(|text| date(field, text)).transpose()
}

fn gtin(field: &'static str, text: &str) -> Result<Gtin> {
    Gtin::parse(text).map_err(|_| malformed(field))
}

fn hash32(field: &'static str, bytes: &[u8]) -> Result<[u8; 32]> {
    bytes.try_into().map_err(|_| malformed(field))
}

/// A record of a known format ([`crate::decode_message`] checked it).
pub(crate) fn record(message: pb::Record) -> Result<LogRecord> {
    let Some(wire_event) = message.event else {
        return Err(LogError::UnknownEvent(message.kind));
    };
    let event = event(wire_event)?;
    if event.name() != message.kind {
        return Err(malformed("Record.kind"));
    }
    Ok(LogRecord {
        sequence: message.sequence,
        time_ms: message.time_ms,
        actor: actor(required("Record.actor", message.actor)?)?,
        event,
    })
}

fn actor(message: pb::Actor) -> Result<Actor> {
    use pb::actor::Kind;
    Ok(match required("Actor.kind", message.kind)? {
        Kind::System(_) => Actor::System,
        Kind::Participant(id) => Actor::Participant(taxpayer("Actor.participant", &id)?),
        Kind::Public(_) => Actor::Public,
        Kind::FiscalOperator(agent) => Actor::FiscalOperator {
            operator: taxpayer("FiscalOperatorActor.operator", &agent.operator)?,
            seller: taxpayer("FiscalOperatorActor.seller", &agent.seller)?,
        },
    })
}

fn event(event: E) -> Result<Event> {
    Ok(match event {
        E::ParticipantRegistered(card) => Event::ParticipantRegistered(participant(card)?),
        E::ParticipantUpdated(card) => Event::ParticipantUpdated(participant(card)?),
        E::CategoryDefined(card) => Event::CategoryDefined(category(card)?),
        E::ProductRegistered(card) => Event::ProductRegistered(product(card)?),
        E::ProductUpdated(card) => Event::ProductUpdated(product(card)?),
        E::FiscalOperatorAssigned(agency) => Event::FiscalOperatorAssigned(fiscal_agency(agency)?),
        E::DataExportRequested(job) => Event::DataExportRequested {
            kind: DataExportKind::from_name(&job.kind)
                .ok_or_else(|| malformed("DataExportRequested.kind"))?,
            from: date("DataExportRequested.from", &job.from)?,
            to: date("DataExportRequested.to", &job.to)?,
            key: job.key,
        },
        E::CalendarPublished(text) => Event::CalendarPublished {
            version: text.version,
            toml: text.toml,
        },
        E::ReferencePublished(text) => Event::ReferencePublished {
            set: text.set,
            version: text.version,
            toml: text.toml,
        },
        E::StageReported(report) => Event::StageReported(stage(report)),
        E::RegisterRefreshed(refresh) => Event::RegisterRefreshed(register_refreshed(refresh)?),
        E::ExportAuthorized(granted) => Event::ExportAuthorized {
            case: granted.case,
            authorization: export_authorization(required(
                "ExportAuthorized.authorization",
                granted.authorization,
            )?)?,
        },
        E::ExportAuthorizationEnded(ended) => Event::ExportAuthorizationEnded {
            case: ended.case,
            number: document_number(required("CaseDocument.number", ended.number)?),
        },
        E::DocumentNumbered(numbered) => Event::DocumentNumbered {
            case: numbered.case,
            number: document_number(required("CaseDocument.number", numbered.number)?),
        },
        other => goods_event(other)?,
    })
}

fn goods_event(event: E) -> Result<Event> {
    Ok(match event {
        E::CodesOrdered(order) => Event::CodesOrdered {
            orderer: taxpayer("CodesOrdered.orderer", &order.orderer)?,
            gtin: gtin("CodesOrdered.gtin", &order.gtin)?,
            quantity: order.quantity,
            tail_profile: tail_profile(required("CodesOrdered.tail_profile", order.tail_profile)?)?,
        },
        E::CodesIssued(issued) => Event::CodesIssued {
            order: issued.order,
            first_index: issued.first_index,
            codes: issued
                .codes
                .into_iter()
                .map(issued_code)
                .collect::<Result<_>>()?,
        },
        E::CodesApplied(applied) => Event::CodesApplied {
            codes: codes("CodesApplied.codes", &applied.codes)?,
            production_date: date("CodesApplied.production_date", &applied.production_date)?,
            expiry_date: optional_date("CodesApplied.expiry_date", applied.expiry_date.as_ref())?,
            batch: applied.batch,
        },
        E::CodesIntroduced(introduced) => Event::CodesIntroduced {
            codes: codes("CodesIntroduced.codes", &introduced.codes)?,
            introduction: introduction(required(
                "CodesIntroduced.introduction",
                introduced.introduction,
            )?)?,
        },
        E::TransportPackageCreated(created) => Event::TransportPackageCreated {
            sscc: match code("TransportPackageCreated.sscc", &created.sscc)? {
                CodeKey::Sscc(sscc) => sscc,
                CodeKey::Item { .. } => return Err(malformed("TransportPackageCreated.sscc")),
            },
            owner: taxpayer("TransportPackageCreated.owner", &created.owner)?,
        },
        E::Aggregated(packed) => Event::Aggregated {
            parent: code("Aggregated.parent", &packed.parent)?,
            children: codes("Aggregated.children", &packed.children)?,
        },
        E::Disaggregated(unpacked) => Event::Disaggregated {
            codes: codes("Disaggregated.codes", &unpacked.codes)?,
        },
        E::Blocked(blocked) => Event::Blocked {
            codes: codes("Blocked.codes", &blocked.codes)?,
            authority: taxpayer("Blocked.authority", &blocked.authority)?,
            reason: blocked.reason,
        },
        E::Unblocked(unblocked) => Event::Unblocked {
            codes: codes("Unblocked.codes", &unblocked.codes)?,
            authority: taxpayer("Unblocked.authority", &unblocked.authority)?,
        },
        other => trade_event(other)?,
    })
}

fn trade_event(event: E) -> Result<Event> {
    Ok(match event {
        E::Shipped(shipped) => Event::Shipped {
            seller: taxpayer("Shipped.seller", &shipped.seller)?,
            buyer: taxpayer("Shipped.buyer", &shipped.buyer)?,
            items: codes("Shipped.items", &shipped.items)?,
            signature: shipped.signature,
        },
        E::Accepted(accepted) => Event::Accepted {
            document: accepted.document,
            accepted: codes("Accepted.accepted", &accepted.accepted)?,
            returned: codes("Accepted.returned", &accepted.returned)?,
            signature: accepted.signature,
        },
        E::Rejected(answer) => Event::Rejected {
            document: answer.document,
            signature: answer.signature,
        },
        E::ShipmentCancelled(answer) => Event::ShipmentCancelled {
            document: answer.document,
            signature: answer.signature,
        },
        E::Withdrawn(withdrawn) => Event::Withdrawn {
            codes: codes("Withdrawn.codes", &withdrawn.codes)?,
            reason: withdrawal_reason(withdrawn.reason)?,
            document: withdrawn.document,
            export: withdrawn.export.map(export_used).transpose()?,
            eaeu: withdrawn.eaeu.map(eaeu_document).transpose()?,
        },
        E::Sold(sold) => Event::Sold {
            receipt_id: sold.receipt_id,
            printed_ms: sold.printed_ms,
            lines: sold
                .lines
                .into_iter()
                .map(|line| SaleLine {
                    code: line.code,
                    price_tiyn: line.price_tiyn,
                })
                .collect(),
            sold: codes("Sold.sold", &sold.sold)?,
            refused: sold
                .refused
                .into_iter()
                .map(refused_line)
                .collect::<Result<_>>()?,
        },
        E::Returned(returned) => Event::Returned {
            codes: codes("Returned.codes", &returned.codes)?,
            receipt_id: returned.receipt_id,
            sale_receipt_id: returned.sale_receipt_id,
        },
        other => case_event(other)?,
    })
}

fn case_event(event: E) -> Result<Event> {
    Ok(match event {
        E::CaseOpened(opened) => Event::CaseOpened {
            opening: case_opening(required("CaseOpened.opening", opened.opening)?)?,
            step: case_step(required("CaseOpened.step", opened.step)?)?,
        },
        E::CaseStepped(step) => Event::CaseStepped(case_step(step)?),
        E::CaseClockSet(set) => Event::CaseClockSet {
            case: set.case,
            clock: set.clock,
            change: clock_change(required("CaseClockSet.change", set.change)?)?,
            value: legal_clock(required("CaseClockSet.value", set.value)?)?,
            next_rung_ms: set.next_rung_ms,
        },
        E::NoticeSent(sent) => Event::NoticeSent(notice(sent)?),
        E::NoticeRead(read) => Event::NoticeRead {
            notice: read.notice,
        },
        E::ScopeBlocked(blocked) => Event::ScopeBlocked {
            case: blocked.case,
            scope: goods_scope(required("ScopeBlocked.scope", blocked.scope)?)?,
        },
        E::ScopeReleased(released) => Event::ScopeReleased {
            case: released.case,
        },
        E::HoldersCounted(counted) => Event::HoldersCounted {
            case: counted.case,
            holdings: counted
                .holdings
                .into_iter()
                .map(holding)
                .collect::<Result<_>>()?,
        },
        E::SweepMoved(moved) => Event::SweepMoved {
            case: moved.case,
            job: moved.job.map(sweep_job).transpose()?,
        },
        E::ConsumerOptedIn(opted) => Event::ConsumerOptedIn {
            code: code("ConsumerOptedIn.code", &opted.code)?,
            contact: opted.contact.map(sealed_contact).transpose()?,
        },
        E::ViolationReported(report) => Event::ViolationReported(violation_report(report)?),
        E::AttachmentRecorded(recorded) => Event::AttachmentRecorded {
            hash: hash32("AttachmentRecorded.hash", &recorded.hash)?,
            size_bytes: recorded.size_bytes,
        },
        E::LikelyCopyFlagged(flagged) => Event::LikelyCopyFlagged {
            code: code("LikelyCopyFlagged.code", &flagged.code)?,
            reason: FlagReason::from_name(&flagged.reason)
                .ok_or_else(|| malformed("LikelyCopyFlagged.reason"))?,
        },
        E::LikelyCopyCleared(cleared) => Event::LikelyCopyCleared {
            code: code("LikelyCopyCleared.code", &cleared.code)?,
            reason: cleared.reason,
        },
        E::ConsumerOptedOut(out) => Event::ConsumerOptedOut { opt_in: out.opt_in },
        E::ConsumerNotified(notified) => Event::ConsumerNotified {
            case: notified.case,
            opt_in: notified.opt_in,
            code: code("ConsumerNotified.code", &notified.code)?,
        },
        E::CasesRecomputed(recomputed) => Event::CasesRecomputed {
            version: recomputed.version,
            through: recomputed
                .through
                .map(|through| (through.next_rung_ms, through.case)),
        },
        other => unreachable!("every event is matched above: {other:?}"),
    })
}

// ---------------------------------------------------------------------------------------------
// Reference data.

fn role(value: i32) -> Result<Role> {
    let wire = pb::Role::try_from(value).map_err(|_| malformed("Participant.roles"))?;
    Role::ALL
        .into_iter()
        .find(|role| crate::to_wire::role(*role) == wire)
        .ok_or(malformed("Participant.roles"))
}

fn participant(card: pb::Participant) -> Result<Participant> {
    let roles: BTreeSet<Role> = card
        .roles
        .iter()
        .map(|value| role(*value))
        .collect::<Result<_>>()?;
    if roles.len() != card.roles.len() {
        return Err(malformed("Participant.roles"));
    }
    Ok(Participant {
        id: taxpayer("Participant.id", &card.id)?,
        name: card.name,
        roles,
        keys: card
            .keys
            .into_iter()
            .map(|key| ParticipantKey {
                algorithm: key.algorithm,
                public_key: key.public_key,
            })
            .collect(),
        status: match pb::ParticipantStatus::try_from(card.status) {
            Ok(pb::ParticipantStatus::Active) => ParticipantStatus::Active,
            Ok(pb::ParticipantStatus::Suspended) => ParticipantStatus::Suspended,
            Ok(pb::ParticipantStatus::RegistrationCeased) => ParticipantStatus::RegistrationCeased,
            _ => return Err(malformed("Participant.status")),
        },
    })
}

fn register_refreshed(refresh: pb::RegisterRefreshed) -> Result<RegisterRefresh> {
    use pb::register_refreshed::Register;
    Ok(
        match required("RegisterRefreshed.register", refresh.register)? {
            Register::Entrepreneurs(refreshed) => RegisterRefresh::Entrepreneurs {
                answer_digest: hash32(
                    "EntrepreneursRefreshed.answer_digest",
                    &refreshed.answer_digest,
                )?,
                entries_total: refreshed.entries_total,
                changes: refreshed
                    .changes
                    .into_iter()
                    .map(register_entry)
                    .collect::<Result<_>>()?,
                last_part: refreshed.last_part,
            },
            Register::Revocations(refreshed) => RegisterRefresh::Revocations(RevocationUpdate {
                issuer: hash32("RevocationsRefreshed.issuer", &refreshed.issuer)?,
                issuer_name: refreshed.issuer_name,
                this_update_ms: refreshed.this_update_ms,
                next_update_ms: refreshed.next_update_ms,
                list_digest: hash32("RevocationsRefreshed.list_digest", &refreshed.list_digest)?,
                added: refreshed.added,
                removed: refreshed.removed,
                last_part: refreshed.last_part,
            }),
        },
    )
}

fn register_entry(entry: pb::RegisterEntry) -> Result<RegisterEntry> {
    Ok(RegisterEntry {
        id: taxpayer("RegisterEntry.id", &entry.id)?,
        name: entry.name,
        status: match pb::RegistrationStatus::try_from(entry.status) {
            Ok(pb::RegistrationStatus::Active) => RegistrationStatus::Active,
            Ok(pb::RegistrationStatus::Ceased) => RegistrationStatus::Ceased,
            _ => return Err(malformed("RegisterEntry.status")),
        },
    })
}

fn names(field: &'static str, names: Option<pb::Names>) -> Result<Names> {
    let names = required(field, names)?;
    Ok(Names {
        kk: names.kk,
        ru: names.ru,
        en: names.en,
    })
}

fn tail_profile(profile: pb::TailProfile) -> Result<TailProfile> {
    use pb::tail_profile::Kind;
    Ok(match required("TailProfile.kind", profile.kind)? {
        Kind::Full(_) => TailProfile::Full,
        Kind::ShortLengthChars(length) => TailProfile::Short {
            length_chars: u8::try_from(length)
                .map_err(|_| malformed("TailProfile.short_length_chars"))?,
        },
    })
}

fn category(card: pb::Category) -> Result<Category> {
    Ok(Category {
        code: card.code,
        names: names("Category.names", card.names)?,
        tail_profile: tail_profile(required("Category.tail_profile", card.tail_profile)?)?,
        return_period_days: card.return_period_days,
        control_list_code: card.control_list_code,
    })
}

fn product(card: pb::Product) -> Result<Product> {
    let optional_taxpayer =
        |field, text: Option<String>| text.map(|text| taxpayer(field, &text)).transpose();
    Ok(Product {
        gtin: gtin("Product.gtin", &card.gtin)?,
        names: names("Product.names", card.names)?,
        producer_name: card.producer_name,
        producer: optional_taxpayer("Product.producer", card.producer)?,
        importer: optional_taxpayer("Product.importer", card.importer)?,
        country: card.country,
        hs_code: HsCode::parse(&card.hs_code).map_err(|_| malformed("Product.hs_code"))?,
        category: card.category,
        level: match pb::PackageLevel::try_from(card.level) {
            Ok(pb::PackageLevel::Unit) => PackageLevel::Unit,
            Ok(pb::PackageLevel::Group) => PackageLevel::Group,
            Ok(pb::PackageLevel::Transport) => PackageLevel::Transport,
            _ => return Err(malformed("Product.level")),
        },
        shelf_life_days: card.shelf_life_days,
    })
}

fn fiscal_agency(agency: pb::FiscalAgency) -> Result<FiscalAgency> {
    Ok(FiscalAgency {
        operator: taxpayer("FiscalAgency.operator", &agency.operator)?,
        seller: taxpayer("FiscalAgency.seller", &agency.seller)?,
        valid_from: date("FiscalAgency.valid_from", &agency.valid_from)?,
        valid_until: optional_date("FiscalAgency.valid_until", agency.valid_until.as_ref())?,
    })
}

// ---------------------------------------------------------------------------------------------
// Goods.

fn issued_code(code: pb::IssuedCode) -> Result<IssuedCode> {
    use pb::issued_code::Tail;
    Ok(IssuedCode {
        serial: Serial::parse(&code.serial).map_err(|_| malformed("IssuedCode.serial"))?,
        tail: match required("IssuedCode.tail", code.tail)? {
            Tail::Full(full) => IssuedTail::Full {
                key_id: full.key_id,
                signature: full.signature,
            },
            Tail::Short(short) => IssuedTail::Short {
                key_id: short.key_id,
                tag: short.tag,
            },
        },
    })
}

fn introduction(how: pb::Introduction) -> Result<Introduction> {
    use pb::introduction::Kind;
    Ok(match required("Introduction.kind", how.kind)? {
        Kind::OwnProduction(_) => Introduction::OwnProduction,
        Kind::Import(import) => Introduction::Import {
            customs_declaration: import.customs_declaration,
        },
        Kind::EaeuReceipt(receipt) => Introduction::EaeuReceipt {
            from_country: receipt.from_country,
            document_number: receipt.document_number,
            seller_taxpayer: receipt.seller_taxpayer,
            document_date: optional_date(
                "EaeuReceipt.document_date",
                receipt.document_date.as_ref(),
            )?,
        },
    })
}

fn withdrawal_reason(value: i32) -> Result<WithdrawalReason> {
    let wire = pb::WithdrawalReason::try_from(value).map_err(|_| malformed("Withdrawn.reason"))?;
    WithdrawalReason::ALL
        .into_iter()
        .find(|reason| crate::to_wire::withdrawal_reason(*reason) == wire)
        .ok_or(malformed("Withdrawn.reason"))
}

fn document_number(number: pb::DocumentNumber) -> DocumentNumber {
    DocumentNumber {
        series: number.series,
        year: number.year,
        number: number.number,
    }
}

fn export_used(used: pb::ExportUsed) -> Result<ExportUsed> {
    Ok(ExportUsed {
        permit: document_number(required("ExportUsed.permit", used.permit)?),
        case: used.case,
        units: used.units,
    })
}

fn eaeu_document(document: pb::EaeuDocument) -> Result<tanba_types::EaeuDocument> {
    Ok(tanba_types::EaeuDocument {
        buyer_state: tanba_types::EaeuState::parse(&document.buyer_state)
            .ok_or(malformed("EaeuDocument.buyer_state"))?,
        buyer_taxpayer: document.buyer_taxpayer,
        buyer_name: document.buyer_name,
        number: document.number,
        date: date("EaeuDocument.date", &document.date)?,
        value_tiyn: document.value_tiyn,
    })
}

fn refused_line(refused: pb::RefusedLine) -> Result<RefusedLine> {
    let error = required("RefusedLine.error", refused.error)?;
    Ok(RefusedLine {
        line: refused.line,
        error: ErrorNote {
            code: error.code,
            ai: error.ai,
            position: error.position,
            detail: error.detail,
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Cases.

fn stage(report: pb::StageReport) -> StageReport {
    StageReport {
        case: report.case,
        kind: report.kind,
        stage: report.stage,
        state: report.state,
        deadline: report
            .deadline
            .map(|deadline| (deadline.clock, deadline.due_ms)),
        on_time: report.on_time,
    }
}

fn export_authorization(authorization: pb::ExportAuthorization) -> Result<ExportAuthorization> {
    Ok(ExportAuthorization {
        number: document_number(required(
            "ExportAuthorization.number",
            authorization.number,
        )?),
        hs_code: authorization.hs_code,
        control_code: authorization.control_code,
        end_user: authorization.end_user,
        units: authorization.units,
        valid_until: date(
            "ExportAuthorization.valid_until",
            &authorization.valid_until,
        )?,
    })
}

fn case_opening(opening: pb::CaseOpening) -> Result<CaseOpening> {
    Ok(CaseOpening {
        kind: opening.kind,
        text_version: opening.text_version,
        party: taxpayer("CaseOpening.party", &opening.party)?,
        authority: opening
            .authority
            .map(|id| taxpayer("CaseOpening.authority", &id))
            .transpose()?,
        parent: opening.parent,
        named: taxpayers("CaseOpening.named", &opening.named)?,
        references: opening
            .references
            .into_iter()
            .map(|reference| (reference.set, reference.version))
            .collect(),
    })
}

fn case_step(step: pb::CaseStep) -> Result<CaseStep> {
    Ok(CaseStep {
        case: step.case,
        transition: step.transition,
        state: step.state,
        closed: step.closed,
        form: form(step.form)?,
        attachments: step
            .attachments
            .into_iter()
            .map(attachment)
            .collect::<Result<_>>()?,
        signature: step.signature,
    })
}

/// A map from a list, refusing a name twice (one value, one byte form).
fn unique_map<V>(
    field: &'static str,
    entries: impl Iterator<Item = Result<(String, V)>>,
) -> Result<BTreeMap<String, V>> {
    let mut map = BTreeMap::new();
    for entry in entries {
        let (name, value) = entry?;
        if map.insert(name, value).is_some() {
            return Err(malformed(field));
        }
    }
    Ok(map)
}

fn form(fields: Vec<pb::FormField>) -> Result<Form> {
    use pb::form_field::Value;
    unique_map(
        "CaseStep.form",
        fields.into_iter().map(|field| {
            let value = match required("FormField.value", field.value)? {
                Value::One(one) => FieldValue::One(scalar(one)?),
                Value::List(list) => {
                    FieldValue::List(list.values.into_iter().map(scalar).collect::<Result<_>>()?)
                }
                Value::Rows(rows) => FieldValue::Rows(
                    rows.rows
                        .into_iter()
                        .map(|row| {
                            unique_map(
                                "Row.cells",
                                row.cells.into_iter().map(|cell| {
                                    let value = scalar(required("RowCell.value", cell.value)?)?;
                                    Ok((cell.column, value))
                                }),
                            )
                        })
                        .collect::<Result<_>>()?,
                ),
            };
            Ok((field.name, value))
        }),
    )
}

fn scalar(scalar: pb::Scalar) -> Result<Scalar> {
    use pb::scalar::Value;
    Ok(match required("Scalar.value", scalar.value)? {
        Value::Text(text) => Scalar::Text(text),
        Value::Integer(number) => Scalar::Integer(number),
        Value::Decimal(number) => Scalar::Decimal(Decimal {
            mantissa: number.mantissa,
            scale: u8::try_from(number.scale).map_err(|_| malformed("Decimal.scale"))?,
        }),
        Value::Date(day) => Scalar::Date(date("Scalar.date", &day)?),
        Value::MomentMs(ms) => Scalar::Moment(ms),
        Value::Flag(flag) => Scalar::Flag(flag),
        Value::Taxpayer(id) => Scalar::Taxpayer(taxpayer("Scalar.taxpayer", &id)?),
        Value::Code(text) => Scalar::Code(code("Scalar.code", &text)?),
    })
}

fn attachment(file: pb::Attachment) -> Result<AttachmentRef> {
    Ok(AttachmentRef {
        hash: hash32("Attachment.hash", &file.hash)?,
        name: file.name,
        media_type: file.media_type,
        size_bytes: file.size_bytes,
        language: file.language,
        translation_of: file
            .translation_of
            .map(|hash| hash32("Attachment.translation_of", &hash))
            .transpose()?,
    })
}

fn rung(field: &'static str, value: i32) -> Result<Rung> {
    match pb::Rung::try_from(value) {
        Ok(pb::Rung::Approaching) => Ok(Rung::Approaching),
        Ok(pb::Rung::DueToday) => Ok(Rung::DueToday),
        Ok(pb::Rung::Overdue) => Ok(Rung::Overdue),
        _ => Err(malformed(field)),
    }
}

fn clock_change(change: pb::ClockChange) -> Result<ClockChange> {
    use pb::clock_change::Kind;
    Ok(match required("ClockChange.kind", change.kind)? {
        Kind::Started(_) => ClockChange::Started,
        Kind::Paused(_) => ClockChange::Paused,
        Kind::Resumed(_) => ClockChange::Resumed,
        Kind::Extended(_) => ClockChange::Extended,
        Kind::Stopped(_) => ClockChange::Stopped,
        Kind::RecomputedFromVersion(from_version) => ClockChange::Recomputed { from_version },
        Kind::Fired(value) => ClockChange::Fired(rung("ClockChange.fired", value)?),
    })
}

fn legal_clock(clock: pb::LegalClock) -> Result<LegalClock> {
    use pb::clock_run::State;
    let run = match required("ClockRun.state", clock.run.and_then(|run| run.state))? {
        State::Running(running) => {
            let due = required("Running.due", running.due)?;
            Run::Running {
                since: date("Running.since", &running.since)?,
                due: Due {
                    day: date("Due.day", &due.day)?,
                    at_ms: due.at_ms,
                    calendar_version: due.calendar_version,
                    listed_days_crossed: due
                        .listed_days_crossed
                        .iter()
                        .map(|day| date("Due.listed_days_crossed", day))
                        .collect::<Result<_>>()?,
                },
            }
        }
        State::PausedSince(since) => Run::Paused {
            since: date("ClockRun.paused_since", &since)?,
        },
        State::StoppedAt(at) => Run::Stopped {
            at: date("ClockRun.stopped_at", &at)?,
        },
    };
    let fired: BTreeSet<Rung> = clock
        .fired
        .iter()
        .map(|value| rung("LegalClock.fired", *value))
        .collect::<Result<_>>()?;
    if fired.len() != clock.fired.len() {
        return Err(malformed("LegalClock.fired"));
    }
    Ok(LegalClock {
        unit: match pb::DayUnit::try_from(clock.unit) {
            Ok(pb::DayUnit::WorkingDays) => DayUnit::WorkingDays,
            Ok(pb::DayUnit::CalendarDays) => DayUnit::CalendarDays,
            _ => return Err(malformed("LegalClock.unit")),
        },
        budget_days: clock.budget_days,
        consumed_days: clock.consumed_days,
        extended_by_days: clock.extended_by_days,
        run,
        fired,
    })
}

fn texts(field: &'static str, texts: Option<pb::Texts>) -> Result<Texts> {
    let texts = required(field, texts)?;
    Ok(Texts {
        kk: texts.kk,
        ru: texts.ru,
        en: texts.en,
    })
}

fn notice(notice: pb::Notice) -> Result<Notice> {
    Ok(Notice {
        to: taxpayer("Notice.to", &notice.to)?,
        case: notice.case,
        kind: notice.kind,
        subject: texts("Notice.subject", notice.subject)?,
        body: texts("Notice.body", notice.body)?,
    })
}

fn goods_scope(scope: pb::GoodsScope) -> Result<GoodsScope> {
    Ok(GoodsScope {
        gtin: gtin("GoodsScope.gtin", &scope.gtin)?,
        batch: scope.batch,
        produced_from: optional_date("GoodsScope.produced_from", scope.produced_from.as_ref())?,
        produced_through: optional_date(
            "GoodsScope.produced_through",
            scope.produced_through.as_ref(),
        )?,
        codes: codes("GoodsScope.codes", &scope.codes)?,
    })
}

fn holding(holding: pb::Holding) -> Result<Holding> {
    Ok(Holding {
        holder: taxpayer("Holding.holder", &holding.holder)?,
        held: codes("Holding.held", &holding.held)?,
        sold: codes("Holding.sold", &holding.sold)?,
        gone: codes("Holding.gone", &holding.gone)?,
    })
}

fn sweep_job(job: pb::SweepJob) -> Result<SweepJob> {
    Ok(SweepJob {
        phase: match pb::SweepPhase::try_from(job.phase) {
            Ok(pb::SweepPhase::Census) => SweepPhase::Census,
            Ok(pb::SweepPhase::Notify) => SweepPhase::Notify,
            Ok(pb::SweepPhase::Withdraw) => SweepPhase::Withdraw,
            _ => return Err(malformed("SweepJob.phase")),
        },
        after: job.after,
    })
}

fn sealed_contact(sealed: pb::SealedContact) -> Result<SealedContact> {
    Ok(SealedContact {
        verifier: hash32("SealedContact.verifier", &sealed.verifier)?,
        ciphertext: sealed.ciphertext,
    })
}

fn violation_report(report: pb::ViolationReported) -> Result<ViolationReport> {
    let reporter = match report.reporter.len() {
        4 => IpAddr::from(<[u8; 4]>::try_from(&report.reporter[..]).expect("4 bytes")),
        16 => IpAddr::from(<[u8; 16]>::try_from(&report.reporter[..]).expect("16 bytes")),
        _ => return Err(malformed("ViolationReported.reporter")),
    };
    let photo = match report.photo {
        Some(photo) => Some(PhotoRef {
            hash: hash32("ReportPhoto.hash", &photo.hash)?,
            size_bytes: photo.size_bytes,
            format: PhotoFormat::from_name(&photo.format)
                .ok_or_else(|| malformed("ReportPhoto.format"))?,
        }),
        None => None,
    };
    Ok(ViolationReport {
        code: (report.code.as_deref())
            .map(|text| code("ViolationReported.code", text))
            .transpose()?,
        kind: ViolationKind::from_name(&report.kind)
            .ok_or_else(|| malformed("ViolationReported.kind"))?,
        comment: report.comment,
        location: report.location.map(|place| Location {
            latitude_microdegrees: place.latitude_microdegrees,
            longitude_microdegrees: place.longitude_microdegrees,
        }),
        reporter,
        photo,
    })
}
