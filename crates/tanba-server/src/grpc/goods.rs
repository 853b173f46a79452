//! Codes and aggregation, and the accompanying documents: the participants' own operations.
//! The engine decides who may do what to which code; the server checks document signatures and
//! who may read what.

use tanba_engine::query::{self, CodeCard};
use tanba_proto::v1 as pb;
use tanba_types::limits::{DOCUMENT_ITEMS_MAX, PACKAGE_CHILDREN_MAX, PAGE_ENTRIES_MAX};
use tanba_types::{Actor, CodeKey, Command, Introduction, Participant, ScannedCode};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::convert;
use super::participants::STREAM_BUFFER_MESSAGES;
use super::{Services, begin, may_read, run};
use crate::app::Call;
use crate::error::ApiError;

/// Codes one command over gRPC may name (the engine's own limit).
const CODES_MAX: usize = tanba_types::limits::COMMAND_CODES_MAX;
/// Entries per message of a streamed package content.
const CONTENT_CHUNK_ENTRIES: usize = 10_000;

/// The card of a code `who` may read: its holder, a supervising role, or whoever markets the
/// product.
///
/// The code is read and noted first, so that the audit names it even when the caller is refused.
fn readable_card(call: &mut Call<'_>, input: &str) -> Result<CodeCard, ApiError> {
    let code = ScannedCode::read(input)?.key;
    call.note_codes([&code]);
    let who = &call.participant()?;
    let card = query::code_card(call.app().engine.snapshot().as_ref(), &code)?
        .ok_or(tanba_engine::EngineError::UnknownCode(code))?;
    let markets = card
        .product
        .as_ref()
        .is_some_and(|product| product.is_marketed_by(who.id));
    if may_read(who, &card.owner) || markets {
        Ok(card)
    } else {
        Err(
            ApiError::forbidden("the holder | the producer | authority | ministry | operator")
                .about(code),
        )
    }
}

/// Runs a command over codes and answers its receipt.
async fn codes_command(
    call: &mut Call<'_>,
    build: impl FnOnce(Vec<CodeKey>) -> Result<Command, ApiError>,
    inputs: &[String],
) -> Result<pb::Receipt, ApiError> {
    let (who, codes) = call.participant_and_codes(inputs, CODES_MAX)?;
    let receipt = run(call, &who, build(codes)?).await?;
    Ok(convert::receipt(&receipt))
}

#[tonic::async_trait]
impl pb::codes_service_server::CodesService for Services {
    async fn report_applied(
        &self,
        request: Request<pb::ReportAppliedRequest>,
    ) -> Result<Response<pb::ReportAppliedResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/ReportApplied", request);
        let outcome = async {
            let build = |codes| {
                Ok(Command::ReportApplied {
                    codes,
                    production_date: convert::optional_date(
                        "production_date",
                        &message.production_date,
                    )?
                    .ok_or_else(|| ApiError::invalid("production_date"))?,
                    expiry_date: convert::optional_date("expiry_date", &message.expiry_date)?,
                    batch: convert::optional_text(&message.batch),
                })
            };
            let receipt = codes_command(&mut call, build, &message.codes).await?;
            Ok(pb::ReportAppliedResponse {
                receipt: Some(receipt),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn introduce(
        &self,
        request: Request<pb::IntroduceRequest>,
    ) -> Result<Response<pb::IntroduceResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Introduce", request);
        let outcome = async {
            use pb::introduce_request::How;
            let introduction = match message.how {
                Some(How::OwnProduction(_)) => Introduction::OwnProduction,
                Some(How::Import(import)) => Introduction::Import {
                    customs_declaration: import.customs_declaration,
                },
                Some(How::EaeuReceipt(receipt)) => Introduction::EaeuReceipt {
                    from_country: receipt.from_country,
                    document_number: receipt.document_number,
                },
                None => return Err(ApiError::invalid("how")),
            };
            let build = |codes| {
                Ok(Command::Introduce {
                    codes,
                    introduction,
                })
            };
            let receipt = codes_command(&mut call, build, &message.codes).await?;
            Ok(pb::IntroduceResponse {
                receipt: Some(receipt),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn aggregate(
        &self,
        request: Request<pb::AggregateRequest>,
    ) -> Result<Response<pb::AggregateResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Aggregate", request);
        let outcome = async {
            let (who, children) =
                call.participant_and_codes(&message.children, PACKAGE_CHILDREN_MAX)?;
            let parent = ScannedCode::read(&message.parent)?.key;
            call.note_codes([&parent]);
            let receipt = run(&mut call, &who, Command::Aggregate { parent, children }).await?;
            Ok(pb::AggregateResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn disaggregate(
        &self,
        request: Request<pb::DisaggregateRequest>,
    ) -> Result<Response<pb::DisaggregateResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Disaggregate", request);
        let outcome = async {
            let build = |codes| Ok(Command::Disaggregate { codes });
            let receipt = codes_command(&mut call, build, &message.codes).await?;
            Ok(pb::DisaggregateResponse {
                receipt: Some(receipt),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn withdraw(
        &self,
        request: Request<pb::WithdrawRequest>,
    ) -> Result<Response<pb::WithdrawResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Withdraw", request);
        let outcome = async {
            let reason = convert::reason_from(message.reason)?;
            let document = convert::optional_text(&message.document);
            if let Some(document) = &document {
                call.note_reference(document);
            }
            let export = convert::export_use(&message.permit, &message.end_user)?;
            let build = |codes| {
                Ok(Command::Withdraw {
                    codes,
                    reason,
                    document,
                    export,
                })
            };
            let receipt = codes_command(&mut call, build, &message.codes).await?;
            Ok(pb::WithdrawResponse {
                receipt: Some(receipt),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn block(
        &self,
        request: Request<pb::BlockRequest>,
    ) -> Result<Response<pb::BlockResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Block", request);
        let outcome = async {
            let reason = message.reason;
            let build = |codes| Ok(Command::Block { codes, reason });
            let receipt = codes_command(&mut call, build, &message.codes).await?;
            Ok(pb::BlockResponse {
                receipt: Some(receipt),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn unblock(
        &self,
        request: Request<pb::UnblockRequest>,
    ) -> Result<Response<pb::UnblockResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/Unblock", request);
        let outcome = async {
            let build = |codes| Ok(Command::Unblock { codes });
            let receipt = codes_command(&mut call, build, &message.codes).await?;
            Ok(pb::UnblockResponse {
                receipt: Some(receipt),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn get_code_card(
        &self,
        request: Request<pb::GetCodeCardRequest>,
    ) -> Result<Response<pb::GetCodeCardResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/GetCodeCard", request);
        let outcome = async {
            let card = readable_card(&mut call, &message.code)?;
            Ok(pb::GetCodeCardResponse {
                card: Some(convert::card_to(&card)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    type GetPackageContentStream = ReceiverStream<Result<pb::GetPackageContentResponse, Status>>;

    async fn get_package_content(
        &self,
        request: Request<pb::GetPackageContentRequest>,
    ) -> Result<Response<Self::GetPackageContentStream>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.CodesService/GetPackageContent",
            request,
        );
        let outcome = async {
            let card = readable_card(&mut call, &message.package)?;
            let content = query::package_content(self.app.engine.snapshot().as_ref(), &card.code)?;
            let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BUFFER_MESSAGES);
            tokio::spawn(async move {
                for chunk in content.chunks(CONTENT_CHUNK_ENTRIES) {
                    let message = pb::GetPackageContentResponse {
                        entries: chunk
                            .iter()
                            .map(|(code, depth)| pb::ContentEntry {
                                code: code.to_string(),
                                depth: *depth as u32,
                            })
                            .collect(),
                    };
                    if sender.send(Ok(message)).await.is_err() {
                        return;
                    }
                }
            });
            Ok(ReceiverStream::new(receiver))
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn get_history(
        &self,
        request: Request<pb::GetHistoryRequest>,
    ) -> Result<Response<pb::GetHistoryResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.CodesService/GetHistory", request);
        let outcome = async {
            let card = readable_card(&mut call, &message.code)?;
            let (after, limit) = convert::page(message.page, PAGE_ENTRIES_MAX);
            let history = query::history(
                self.app.engine.snapshot().as_ref(),
                &card.code,
                after,
                limit,
            )?;
            Ok(pb::GetHistoryResponse {
                events: history
                    .iter()
                    .map(|record| pb::HistoryEvent {
                        sequence: record.sequence,
                        time_ms: record.time_ms,
                        actor: match record.actor {
                            Actor::System => "system".to_owned(),
                            Actor::Public => "public".to_owned(),
                            Actor::Participant(id) => id.to_string(),
                            Actor::FiscalOperator { operator, seller } => {
                                format!("{seller} (fiscal data operator {operator})")
                            }
                        },
                        event: record.event.name().to_owned(),
                        detail_json: history_detail(&record.event).to_string(),
                    })
                    .collect(),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }
}

/// What a history event may say to whoever may read the code: its fields, with every list
/// (the other codes of a chunk, a package, a shipment, and the issued tails) replaced by its
/// length. A chunk of issued codes lists 10,000 serials with their tails: shown to a card's
/// reader, they would be 10,000 printable copies (R-IS-02).
fn history_detail(event: &tanba_types::Event) -> serde_json::Value {
    fn redact(value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::Array(items) => Value::from(items.len()),
            Value::Object(fields) => fields
                .into_iter()
                .map(|(name, value)| (name, redact(value)))
                .collect(),
            other => other,
        }
    }
    redact(serde_json::to_value(event).unwrap_or_default())
}

/// The document `who` may read: its seller, its buyer, or a supervising role.
fn readable_document(
    call: &mut Call<'_>,
    who: &Participant,
    id: u64,
) -> Result<query::DocumentView, ApiError> {
    call.note_reference(id);
    let document = query::document(call.app().engine.snapshot().as_ref(), id)?
        .ok_or(tanba_engine::EngineError::UnknownDocument(id))?;
    if may_read(who, &document.seller) || may_read(who, &document.buyer) {
        Ok(document)
    } else {
        Err(ApiError::forbidden(
            "the seller | the buyer | authority | ministry | operator",
        ))
    }
}

#[tonic::async_trait]
impl pb::documents_service_server::DocumentsService for Services {
    async fn ship(
        &self,
        request: Request<pb::ShipRequest>,
    ) -> Result<Response<pb::ShipResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.DocumentsService/Ship", request);
        let outcome = async {
            let buyer = convert::taxpayer("buyer", &message.buyer)?;
            call.note_reference(buyer);
            let (who, items) = call.participant_and_codes(&message.items, DOCUMENT_ITEMS_MAX)?;
            let command = Command::Ship {
                buyer,
                items,
                signature: message.signature,
            };
            let receipt = run(&mut call, &who, command).await?;
            let document = receipt.created.unwrap_or(receipt.first_sequence);
            call.note_reference(document);
            Ok(pb::ShipResponse {
                document,
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn accept(
        &self,
        request: Request<pb::AcceptRequest>,
    ) -> Result<Response<pb::AcceptResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.DocumentsService/Accept", request);
        let outcome = async {
            call.note_reference(message.document);
            let (who, items) = call.participant_and_codes(&message.items, DOCUMENT_ITEMS_MAX)?;
            let command = Command::Accept {
                document: message.document,
                items: (!items.is_empty()).then_some(items),
                signature: message.signature,
            };
            let receipt = run(&mut call, &who, command).await?;
            Ok(pb::AcceptResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn reject(
        &self,
        request: Request<pb::RejectRequest>,
    ) -> Result<Response<pb::RejectResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.DocumentsService/Reject", request);
        let outcome = async {
            let who = call.participant()?;
            call.note_reference(message.document);
            let command = Command::Reject {
                document: message.document,
                signature: message.signature,
            };
            let receipt = run(&mut call, &who, command).await?;
            Ok(pb::RejectResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn cancel(
        &self,
        request: Request<pb::CancelRequest>,
    ) -> Result<Response<pb::CancelResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.DocumentsService/Cancel", request);
        let outcome = async {
            let who = call.participant()?;
            call.note_reference(message.document);
            let command = Command::CancelShipment {
                document: message.document,
                signature: message.signature,
            };
            let receipt = run(&mut call, &who, command).await?;
            Ok(pb::CancelResponse {
                receipt: Some(convert::receipt(&receipt)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn get_document(
        &self,
        request: Request<pb::GetDocumentRequest>,
    ) -> Result<Response<pb::GetDocumentResponse>, Status> {
        let (mut call, message) =
            begin(&self.app, "tanba.v1.DocumentsService/GetDocument", request);
        let outcome = async {
            let who = call.participant()?;
            let document = readable_document(&mut call, &who, message.document)?;
            Ok(pb::GetDocumentResponse {
                document: Some(convert::document_to(&document)),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }

    async fn list_documents(
        &self,
        request: Request<pb::ListDocumentsRequest>,
    ) -> Result<Response<pb::ListDocumentsResponse>, Status> {
        let (mut call, message) = begin(
            &self.app,
            "tanba.v1.DocumentsService/ListDocuments",
            request,
        );
        let outcome = async {
            let who = call.participant()?;
            let (after, limit) = convert::page(message.page, PAGE_ENTRIES_MAX);
            let documents =
                query::documents(self.app.engine.snapshot().as_ref(), &who.id, after, limit)?;
            Ok(pb::ListDocumentsResponse {
                documents: documents.iter().map(convert::document_to).collect(),
            })
        }
        .await;
        call.finish_grpc(outcome).await
    }
}

#[cfg(test)]
mod tests {
    use tanba_types::{Event, IssuedCode, IssuedTail};

    #[test]
    fn a_history_event_names_no_other_code_and_no_tail() {
        let issued = Event::CodesIssued {
            order: 7,
            first_index: 0,
            codes: vec![IssuedCode {
                serial: "abc".parse().unwrap(),
                tail: IssuedTail::Short {
                    key_id: "k".into(),
                    tag: "SECRET".into(),
                },
            }],
        };
        let detail = super::history_detail(&issued).to_string();
        assert!(
            !detail.contains("SECRET") && !detail.contains("abc"),
            "{detail}"
        );
        assert!(detail.contains("\"order\":7"), "{detail}");
    }
}
