//! The engine's values as `tanba.log.v1` messages (infallible: every value has a wire form).

use tanba_types::case::{
    AttachmentRef, CaseOpening, CaseStep, ClockChange, DayUnit, DocumentNumber,
    ExportAuthorization, ExportUsed, FieldValue, Form, GoodsScope, Holding, LegalClock, Notice,
    Run, Rung, Scalar, StageReport, SweepJob, SweepPhase, Texts,
};
use tanba_types::{
    Actor, Category, CodeKey, Date, ErrorNote, Event, FiscalAgency, Introduction, IssuedCode,
    IssuedTail, Names, PackageLevel, Participant, ParticipantStatus, Product, RefusedLine,
    RegisterRefresh, RegistrationStatus, Role, SaleLine, TailProfile, WithdrawalReason,
};

use crate::LogRecord;
use crate::pb;
use crate::pb::record::Event as E;

pub(crate) fn record(record: &LogRecord) -> pb::Record {
    pb::Record {
        format: crate::RECORD_FORMAT,
        sequence: record.sequence,
        time_ms: record.time_ms,
        actor: Some(actor(&record.actor)),
        kind: record.event.name().to_owned(),
        event: Some(event(&record.event)),
    }
}

fn actor(actor: &Actor) -> pb::Actor {
    use pb::actor::Kind;
    let kind = match actor {
        Actor::System => Kind::System(pb::Empty {}),
        Actor::Participant(id) => Kind::Participant(id.to_string()),
        Actor::Public => Kind::Public(pb::Empty {}),
        Actor::FiscalOperator { operator, seller } => {
            Kind::FiscalOperator(pb::FiscalOperatorActor {
                operator: operator.to_string(),
                seller: seller.to_string(),
            })
        }
    };
    pb::Actor { kind: Some(kind) }
}

fn codes(codes: &[CodeKey]) -> Vec<String> {
    codes.iter().map(CodeKey::to_string).collect()
}

fn date(date: &Date) -> String {
    date.to_string()
}

fn event(event: &Event) -> E {
    match event {
        Event::ParticipantRegistered(card) => E::ParticipantRegistered(participant(card)),
        Event::ParticipantUpdated(card) => E::ParticipantUpdated(participant(card)),
        Event::CategoryDefined(card) => E::CategoryDefined(category(card)),
        Event::ProductRegistered(card) => E::ProductRegistered(product(card)),
        Event::ProductUpdated(card) => E::ProductUpdated(product(card)),
        Event::FiscalOperatorAssigned(agency) => E::FiscalOperatorAssigned(fiscal_agency(agency)),
        Event::DataExportRequested {
            key,
            kind,
            from,
            to,
        } => E::DataExportRequested(pb::DataExportRequested {
            key: key.clone(),
            kind: kind.name().to_owned(),
            from: date(from),
            to: date(to),
        }),
        Event::CalendarPublished { version, toml } => E::CalendarPublished(pb::PublishedText {
            set: String::new(),
            version: *version,
            toml: toml.clone(),
        }),
        Event::ReferencePublished { set, version, toml } => {
            E::ReferencePublished(pb::PublishedText {
                set: set.clone(),
                version: *version,
                toml: toml.clone(),
            })
        }
        Event::StageReported(report) => E::StageReported(stage(report)),
        Event::RegisterRefreshed(refresh) => E::RegisterRefreshed(register_refreshed(refresh)),
        Event::ExportAuthorized {
            case,
            authorization,
        } => E::ExportAuthorized(pb::ExportAuthorized {
            case: *case,
            authorization: Some(export_authorization(authorization)),
        }),
        Event::ExportAuthorizationEnded { case, number } => {
            E::ExportAuthorizationEnded(case_document(*case, number))
        }
        Event::DocumentNumbered { case, number } => {
            E::DocumentNumbered(case_document(*case, number))
        }
        _ => goods_event(event).unwrap_or_else(|| case_event(event)),
    }
}

fn goods_event(event: &Event) -> Option<E> {
    Some(match event {
        Event::CodesOrdered {
            orderer,
            gtin,
            quantity,
            tail_profile: profile,
        } => E::CodesOrdered(pb::CodesOrdered {
            orderer: orderer.to_string(),
            gtin: gtin.to_string(),
            quantity: *quantity,
            tail_profile: Some(tail_profile(*profile)),
        }),
        Event::CodesIssued {
            order,
            first_index,
            codes,
        } => E::CodesIssued(pb::CodesIssued {
            order: *order,
            first_index: *first_index,
            codes: codes.iter().map(issued_code).collect(),
        }),
        Event::CodesApplied {
            codes: applied,
            production_date,
            expiry_date,
            batch,
        } => E::CodesApplied(pb::CodesApplied {
            codes: codes(applied),
            production_date: date(production_date),
            expiry_date: expiry_date.as_ref().map(date),
            batch: batch.clone(),
        }),
        Event::CodesIntroduced {
            codes: introduced,
            introduction: how,
        } => E::CodesIntroduced(pb::CodesIntroduced {
            codes: codes(introduced),
            introduction: Some(introduction(how)),
        }),
        Event::TransportPackageCreated { sscc, owner } => {
            E::TransportPackageCreated(pb::TransportPackageCreated {
                sscc: CodeKey::Sscc(*sscc).to_string(),
                owner: owner.to_string(),
            })
        }
        Event::Aggregated { parent, children } => E::Aggregated(pb::Aggregated {
            parent: parent.to_string(),
            children: codes(children),
        }),
        Event::Disaggregated { codes: taken } => E::Disaggregated(pb::Disaggregated {
            codes: codes(taken),
        }),
        Event::Blocked {
            codes: blocked,
            authority,
            reason,
        } => E::Blocked(pb::Blocked {
            codes: codes(blocked),
            authority: authority.to_string(),
            reason: reason.clone(),
        }),
        Event::Unblocked {
            codes: unblocked,
            authority,
        } => E::Unblocked(pb::Unblocked {
            codes: codes(unblocked),
            authority: authority.to_string(),
        }),
        _ => return trade_event(event),
    })
}

fn trade_event(event: &Event) -> Option<E> {
    Some(match event {
        Event::Shipped {
            seller,
            buyer,
            items,
            signature,
        } => E::Shipped(pb::Shipped {
            seller: seller.to_string(),
            buyer: buyer.to_string(),
            items: codes(items),
            signature: signature.clone(),
        }),
        Event::Accepted {
            document,
            accepted,
            returned,
            signature,
        } => E::Accepted(pb::Accepted {
            document: *document,
            accepted: codes(accepted),
            returned: codes(returned),
            signature: signature.clone(),
        }),
        Event::Rejected {
            document,
            signature,
        } => E::Rejected(pb::DocumentAnswer {
            document: *document,
            signature: signature.clone(),
        }),
        Event::ShipmentCancelled {
            document,
            signature,
        } => E::ShipmentCancelled(pb::DocumentAnswer {
            document: *document,
            signature: signature.clone(),
        }),
        Event::Withdrawn {
            codes: withdrawn,
            reason,
            document,
            export,
            eaeu,
        } => E::Withdrawn(pb::Withdrawn {
            codes: codes(withdrawn),
            reason: withdrawal_reason(*reason) as i32,
            document: document.clone(),
            export: export.as_ref().map(export_used),
            eaeu: eaeu.as_ref().map(eaeu_document),
        }),
        Event::Sold {
            receipt_id,
            printed_ms,
            lines,
            sold,
            refused,
        } => E::Sold(pb::Sold {
            receipt_id: receipt_id.clone(),
            printed_ms: *printed_ms,
            lines: lines.iter().map(sale_line).collect(),
            sold: codes(sold),
            refused: refused.iter().map(refused_line).collect(),
        }),
        Event::Returned {
            codes: returned,
            receipt_id,
            sale_receipt_id,
        } => E::Returned(pb::Returned {
            codes: codes(returned),
            receipt_id: receipt_id.clone(),
            sale_receipt_id: sale_receipt_id.clone(),
        }),
        _ => return None,
    })
}

fn case_event(event: &Event) -> E {
    match event {
        Event::CaseOpened { opening, step } => E::CaseOpened(pb::CaseOpened {
            opening: Some(case_opening(opening)),
            step: Some(case_step(step)),
        }),
        Event::CaseStepped(step) => E::CaseStepped(case_step(step)),
        Event::CaseClockSet {
            case,
            clock,
            change,
            value,
            next_rung_ms,
        } => E::CaseClockSet(pb::CaseClockSet {
            case: *case,
            clock: clock.clone(),
            change: Some(clock_change(*change)),
            value: Some(legal_clock(value)),
            next_rung_ms: *next_rung_ms,
        }),
        Event::NoticeSent(sent) => E::NoticeSent(notice(sent)),
        Event::NoticeRead { notice } => E::NoticeRead(pb::NoticeRead { notice: *notice }),
        Event::ScopeBlocked { case, scope } => E::ScopeBlocked(pb::ScopeBlocked {
            case: *case,
            scope: Some(goods_scope(scope)),
        }),
        Event::ScopeReleased { case } => E::ScopeReleased(pb::CaseRef { case: *case }),
        Event::HoldersCounted { case, holdings } => E::HoldersCounted(pb::HoldersCounted {
            case: *case,
            holdings: holdings.iter().map(holding).collect(),
        }),
        Event::SweepMoved { case, job } => E::SweepMoved(pb::SweepMoved {
            case: *case,
            job: job.as_ref().map(sweep_job),
        }),
        Event::ConsumerOptedIn { code, contact } => E::ConsumerOptedIn(pb::ConsumerOptedIn {
            code: code.to_string(),
            contact: contact.as_ref().map(|sealed| pb::SealedContact {
                verifier: sealed.verifier.to_vec(),
                ciphertext: sealed.ciphertext.clone(),
            }),
        }),
        Event::ViolationReported(report) => E::ViolationReported(violation_report(report)),
        Event::AttachmentRecorded { hash, size_bytes } => {
            E::AttachmentRecorded(pb::AttachmentRecorded {
                hash: hash.to_vec(),
                size_bytes: *size_bytes,
            })
        }
        Event::LikelyCopyFlagged { code, reason } => E::LikelyCopyFlagged(pb::LikelyCopyFlagged {
            code: code.to_string(),
            reason: reason.name().to_owned(),
        }),
        Event::LikelyCopyCleared { code, reason } => E::LikelyCopyCleared(pb::LikelyCopyCleared {
            code: code.to_string(),
            reason: reason.clone(),
        }),
        Event::ConsumerOptedOut { opt_in } => {
            E::ConsumerOptedOut(pb::ConsumerOptedOut { opt_in: *opt_in })
        }
        Event::ConsumerNotified { case, opt_in, code } => {
            E::ConsumerNotified(pb::ConsumerNotified {
                case: *case,
                opt_in: *opt_in,
                code: code.to_string(),
            })
        }
        Event::CasesRecomputed { version, through } => E::CasesRecomputed(pb::CasesRecomputed {
            version: *version,
            through: through.map(|(next_rung_ms, case)| pb::CaseThrough { next_rung_ms, case }),
        }),
        other => unreachable!("{} is not a case event", other.name()),
    }
}

// ---------------------------------------------------------------------------------------------
// Reference data.

pub(crate) fn role(role: Role) -> pb::Role {
    match role {
        Role::Producer => pb::Role::Producer,
        Role::Importer => pb::Role::Importer,
        Role::Wholesaler => pb::Role::Wholesaler,
        Role::Retailer => pb::Role::Retailer,
        Role::FiscalDataOperator => pb::Role::FiscalDataOperator,
        Role::Authority => pb::Role::Authority,
        Role::Ministry => pb::Role::Ministry,
        Role::Operator => pb::Role::Operator,
    }
}

fn participant(card: &Participant) -> pb::Participant {
    pb::Participant {
        id: card.id.to_string(),
        name: card.name.clone(),
        roles: card.roles.iter().map(|each| role(*each) as i32).collect(),
        keys: card
            .keys
            .iter()
            .map(|key| pb::ParticipantKey {
                algorithm: key.algorithm.clone(),
                public_key: key.public_key.clone(),
            })
            .collect(),
        status: match card.status {
            ParticipantStatus::Active => pb::ParticipantStatus::Active,
            ParticipantStatus::Suspended => pb::ParticipantStatus::Suspended,
            ParticipantStatus::RegistrationCeased => pb::ParticipantStatus::RegistrationCeased,
        } as i32,
    }
}

fn register_refreshed(refresh: &RegisterRefresh) -> pb::RegisterRefreshed {
    use pb::register_refreshed::Register;
    let register = match refresh {
        RegisterRefresh::Entrepreneurs {
            answer_digest,
            entries_total,
            changes,
            last_part,
        } => Register::Entrepreneurs(pb::EntrepreneursRefreshed {
            answer_digest: answer_digest.to_vec(),
            entries_total: *entries_total,
            changes: changes
                .iter()
                .map(|entry| pb::RegisterEntry {
                    id: entry.id.to_string(),
                    name: entry.name.clone(),
                    status: match entry.status {
                        RegistrationStatus::Active => pb::RegistrationStatus::Active,
                        RegistrationStatus::Ceased => pb::RegistrationStatus::Ceased,
                    } as i32,
                })
                .collect(),
            last_part: *last_part,
        }),
        RegisterRefresh::Revocations(update) => Register::Revocations(pb::RevocationsRefreshed {
            issuer: update.issuer.to_vec(),
            issuer_name: update.issuer_name.clone(),
            this_update_ms: update.this_update_ms,
            next_update_ms: update.next_update_ms,
            list_digest: update.list_digest.to_vec(),
            added: update.added.clone(),
            removed: update.removed.clone(),
            last_part: update.last_part,
        }),
    };
    pb::RegisterRefreshed {
        register: Some(register),
    }
}

fn names(names: &Names) -> pb::Names {
    pb::Names {
        kk: names.kk.clone(),
        ru: names.ru.clone(),
        en: names.en.clone(),
    }
}

fn tail_profile(profile: TailProfile) -> pb::TailProfile {
    use pb::tail_profile::Kind;
    let kind = match profile {
        TailProfile::Full => Kind::Full(pb::Empty {}),
        TailProfile::Short { length_chars } => Kind::ShortLengthChars(u32::from(length_chars)),
    };
    pb::TailProfile { kind: Some(kind) }
}

fn category(card: &Category) -> pb::Category {
    pb::Category {
        code: card.code.clone(),
        names: Some(names(&card.names)),
        tail_profile: Some(tail_profile(card.tail_profile)),
        return_period_days: card.return_period_days,
        control_list_code: card.control_list_code.clone(),
    }
}

fn product(card: &Product) -> pb::Product {
    pb::Product {
        gtin: card.gtin.to_string(),
        names: Some(names(&card.names)),
        producer_name: card.producer_name.clone(),
        producer: card.producer.map(|id| id.to_string()),
        importer: card.importer.map(|id| id.to_string()),
        country: card.country.clone(),
        hs_code: card.hs_code.as_str().to_owned(),
        category: card.category.clone(),
        level: match card.level {
            PackageLevel::Unit => pb::PackageLevel::Unit,
            PackageLevel::Group => pb::PackageLevel::Group,
            PackageLevel::Transport => pb::PackageLevel::Transport,
        } as i32,
        shelf_life_days: card.shelf_life_days,
    }
}

fn fiscal_agency(agency: &FiscalAgency) -> pb::FiscalAgency {
    pb::FiscalAgency {
        operator: agency.operator.to_string(),
        seller: agency.seller.to_string(),
        valid_from: date(&agency.valid_from),
        valid_until: agency.valid_until.as_ref().map(date),
    }
}

// ---------------------------------------------------------------------------------------------
// Goods.

fn issued_code(code: &IssuedCode) -> pb::IssuedCode {
    use pb::issued_code::Tail;
    let tail = match &code.tail {
        IssuedTail::Full { key_id, signature } => Tail::Full(pb::FullTail {
            key_id: key_id.clone(),
            signature: signature.clone(),
        }),
        IssuedTail::Short { key_id, tag } => Tail::Short(pb::ShortTail {
            key_id: key_id.clone(),
            tag: tag.clone(),
        }),
    };
    pb::IssuedCode {
        serial: code.serial.as_str().to_owned(),
        tail: Some(tail),
    }
}

fn introduction(how: &Introduction) -> pb::Introduction {
    use pb::introduction::Kind;
    let kind = match how {
        Introduction::OwnProduction => Kind::OwnProduction(pb::Empty {}),
        Introduction::Import {
            customs_declaration,
        } => Kind::Import(pb::Import {
            customs_declaration: customs_declaration.clone(),
        }),
        Introduction::EaeuReceipt {
            from_country,
            document_number,
            seller_taxpayer,
            document_date,
        } => Kind::EaeuReceipt(pb::EaeuReceipt {
            from_country: from_country.clone(),
            document_number: document_number.clone(),
            seller_taxpayer: seller_taxpayer.clone(),
            document_date: document_date.as_ref().map(date),
        }),
    };
    pb::Introduction { kind: Some(kind) }
}

pub(crate) fn withdrawal_reason(reason: WithdrawalReason) -> pb::WithdrawalReason {
    match reason {
        WithdrawalReason::RetailSale => pb::WithdrawalReason::RetailSale,
        WithdrawalReason::ExportToEaeu => pb::WithdrawalReason::ExportToEaeu,
        WithdrawalReason::ExportOutsideEaeu => pb::WithdrawalReason::ExportOutsideEaeu,
        WithdrawalReason::WriteOff => pb::WithdrawalReason::WriteOff,
        WithdrawalReason::Destruction => pb::WithdrawalReason::Destruction,
        WithdrawalReason::RecallDisposal => pb::WithdrawalReason::RecallDisposal,
        WithdrawalReason::Confiscation => pb::WithdrawalReason::Confiscation,
    }
}

fn document_number(number: &DocumentNumber) -> pb::DocumentNumber {
    pb::DocumentNumber {
        series: number.series.clone(),
        year: number.year,
        number: number.number,
    }
}

fn export_used(used: &ExportUsed) -> pb::ExportUsed {
    pb::ExportUsed {
        permit: Some(document_number(&used.permit)),
        case: used.case,
        units: used.units,
    }
}

fn eaeu_document(document: &tanba_types::EaeuDocument) -> pb::EaeuDocument {
    pb::EaeuDocument {
        buyer_state: document.buyer_state.code().to_owned(),
        buyer_taxpayer: document.buyer_taxpayer.clone(),
        buyer_name: document.buyer_name.clone(),
        number: document.number.clone(),
        date: date(&document.date),
        value_tiyn: document.value_tiyn,
    }
}

fn sale_line(line: &SaleLine) -> pb::SaleLine {
    pb::SaleLine {
        code: line.code.clone(),
        price_tiyn: line.price_tiyn,
    }
}

fn refused_line(refused: &RefusedLine) -> pb::RefusedLine {
    pb::RefusedLine {
        line: refused.line,
        error: Some(error_note(&refused.error)),
    }
}

fn error_note(note: &ErrorNote) -> pb::ErrorNote {
    pb::ErrorNote {
        code: note.code.clone(),
        ai: note.ai.clone(),
        position: note.position,
        detail: note.detail.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Cases.

fn stage(report: &StageReport) -> pb::StageReport {
    pb::StageReport {
        case: report.case,
        kind: report.kind.clone(),
        stage: report.stage.clone(),
        state: report.state.clone(),
        deadline: report
            .deadline
            .as_ref()
            .map(|(clock, due_ms)| pb::Deadline {
                clock: clock.clone(),
                due_ms: *due_ms,
            }),
        on_time: report.on_time,
    }
}

fn export_authorization(authorization: &ExportAuthorization) -> pb::ExportAuthorization {
    pb::ExportAuthorization {
        number: Some(document_number(&authorization.number)),
        hs_code: authorization.hs_code.clone(),
        control_code: authorization.control_code.clone(),
        end_user: authorization.end_user.clone(),
        units: authorization.units,
        valid_until: date(&authorization.valid_until),
    }
}

fn case_document(case: u64, number: &DocumentNumber) -> pb::CaseDocument {
    pb::CaseDocument {
        case,
        number: Some(document_number(number)),
    }
}

fn case_opening(opening: &CaseOpening) -> pb::CaseOpening {
    pb::CaseOpening {
        kind: opening.kind.clone(),
        text_version: opening.text_version.clone(),
        party: opening.party.to_string(),
        authority: opening.authority.map(|id| id.to_string()),
        parent: opening.parent,
        named: opening.named.iter().map(ToString::to_string).collect(),
        references: opening
            .references
            .iter()
            .map(|(set, version)| pb::ReferenceVersion {
                set: set.clone(),
                version: *version,
            })
            .collect(),
    }
}

fn case_step(step: &CaseStep) -> pb::CaseStep {
    pb::CaseStep {
        case: step.case,
        transition: step.transition.clone(),
        state: step.state.clone(),
        closed: step.closed,
        form: form(&step.form),
        attachments: step.attachments.iter().map(attachment).collect(),
        signature: step.signature.clone(),
    }
}

fn form(form: &Form) -> Vec<pb::FormField> {
    use pb::form_field::Value;
    form.iter()
        .map(|(name, value)| pb::FormField {
            name: name.clone(),
            value: Some(match value {
                FieldValue::One(one) => Value::One(scalar(one)),
                FieldValue::List(values) => Value::List(pb::ScalarList {
                    values: values.iter().map(scalar).collect(),
                }),
                FieldValue::Rows(rows) => Value::Rows(pb::Rows {
                    rows: rows
                        .iter()
                        .map(|row| pb::Row {
                            cells: row
                                .iter()
                                .map(|(column, value)| pb::RowCell {
                                    column: column.clone(),
                                    value: Some(scalar(value)),
                                })
                                .collect(),
                        })
                        .collect(),
                }),
            }),
        })
        .collect()
}

fn scalar(scalar: &Scalar) -> pb::Scalar {
    use pb::scalar::Value;
    let value = match scalar {
        Scalar::Text(text) => Value::Text(text.clone()),
        Scalar::Integer(number) => Value::Integer(*number),
        Scalar::Decimal(number) => Value::Decimal(pb::Decimal {
            mantissa: number.mantissa,
            scale: u32::from(number.scale),
        }),
        Scalar::Date(day) => Value::Date(date(day)),
        Scalar::Moment(ms) => Value::MomentMs(*ms),
        Scalar::Flag(flag) => Value::Flag(*flag),
        Scalar::Taxpayer(id) => Value::Taxpayer(id.to_string()),
        Scalar::Code(code) => Value::Code(code.to_string()),
    };
    pb::Scalar { value: Some(value) }
}

fn attachment(file: &AttachmentRef) -> pb::Attachment {
    pb::Attachment {
        hash: file.hash.to_vec(),
        name: file.name.clone(),
        media_type: file.media_type.clone(),
        size_bytes: file.size_bytes,
        language: file.language.clone(),
        translation_of: file.translation_of.map(|hash| hash.to_vec()),
    }
}

pub(crate) fn rung(rung: Rung) -> pb::Rung {
    match rung {
        Rung::Approaching => pb::Rung::Approaching,
        Rung::DueToday => pb::Rung::DueToday,
        Rung::Overdue => pb::Rung::Overdue,
    }
}

fn clock_change(change: ClockChange) -> pb::ClockChange {
    use pb::clock_change::Kind;
    let kind = match change {
        ClockChange::Started => Kind::Started(pb::Empty {}),
        ClockChange::Paused => Kind::Paused(pb::Empty {}),
        ClockChange::Resumed => Kind::Resumed(pb::Empty {}),
        ClockChange::Extended => Kind::Extended(pb::Empty {}),
        ClockChange::Stopped => Kind::Stopped(pb::Empty {}),
        ClockChange::Recomputed { from_version } => Kind::RecomputedFromVersion(from_version),
        ClockChange::Fired(fired) => Kind::Fired(rung(fired) as i32),
    };
    pb::ClockChange { kind: Some(kind) }
}

fn legal_clock(clock: &LegalClock) -> pb::LegalClock {
    use pb::clock_run::State;
    let run = match &clock.run {
        Run::Running { since, due } => State::Running(pb::Running {
            since: date(since),
            due: Some(pb::Due {
                day: date(&due.day),
                at_ms: due.at_ms,
                calendar_version: due.calendar_version,
                listed_days_crossed: due.listed_days_crossed.iter().map(date).collect(),
            }),
        }),
        Run::Paused { since } => State::PausedSince(date(since)),
        Run::Stopped { at } => State::StoppedAt(date(at)),
    };
    pb::LegalClock {
        unit: match clock.unit {
            DayUnit::WorkingDays => pb::DayUnit::WorkingDays,
            DayUnit::CalendarDays => pb::DayUnit::CalendarDays,
        } as i32,
        budget_days: clock.budget_days,
        consumed_days: clock.consumed_days,
        extended_by_days: clock.extended_by_days,
        run: Some(pb::ClockRun { state: Some(run) }),
        fired: clock.fired.iter().map(|each| rung(*each) as i32).collect(),
    }
}

fn texts(texts: &Texts) -> pb::Texts {
    pb::Texts {
        kk: texts.kk.clone(),
        ru: texts.ru.clone(),
        en: texts.en.clone(),
    }
}

fn notice(notice: &Notice) -> pb::Notice {
    pb::Notice {
        to: notice.to.to_string(),
        case: notice.case,
        kind: notice.kind.clone(),
        subject: Some(texts(&notice.subject)),
        body: Some(texts(&notice.body)),
    }
}

fn goods_scope(scope: &GoodsScope) -> pb::GoodsScope {
    pb::GoodsScope {
        gtin: scope.gtin.to_string(),
        batch: scope.batch.clone(),
        produced_from: scope.produced_from.as_ref().map(date),
        produced_through: scope.produced_through.as_ref().map(date),
        codes: codes(&scope.codes),
    }
}

fn holding(holding: &Holding) -> pb::Holding {
    pb::Holding {
        holder: holding.holder.to_string(),
        held: codes(&holding.held),
        sold: codes(&holding.sold),
        gone: codes(&holding.gone),
    }
}

fn sweep_job(job: &SweepJob) -> pb::SweepJob {
    pb::SweepJob {
        phase: match job.phase {
            SweepPhase::Census => pb::SweepPhase::Census,
            SweepPhase::Notify => pb::SweepPhase::Notify,
            SweepPhase::Withdraw => pb::SweepPhase::Withdraw,
        } as i32,
        after: job.after.clone(),
    }
}

fn violation_report(report: &tanba_types::ViolationReport) -> pb::ViolationReported {
    pb::ViolationReported {
        code: report.code.as_ref().map(ToString::to_string),
        kind: report.kind.name().to_owned(),
        comment: report.comment.clone(),
        location: report.location.map(|place| pb::ReportLocation {
            latitude_microdegrees: place.latitude_microdegrees,
            longitude_microdegrees: place.longitude_microdegrees,
        }),
        reporter: match report.reporter {
            std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
            std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
        },
        photo: report.photo.map(|photo| pb::ReportPhoto {
            hash: photo.hash.to_vec(),
            size_bytes: photo.size_bytes,
            format: photo.format.name().to_owned(),
        }),
    }
}
