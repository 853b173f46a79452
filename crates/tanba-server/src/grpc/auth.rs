//! `AuthService` (`proto/tanba/v1/auth.proto`): sign-in over gRPC, a shell over
//! [`crate::service::auth`].

use tanba_proto::v1 as pb;
use tonic::{Request, Response, Status};

use super::{Services, begin, convert};
use crate::service::auth;

#[tonic::async_trait]
impl pb::auth_service_server::AuthService for Services {
    async fn get_challenge(
        &self,
        request: Request<pb::GetChallengeRequest>,
    ) -> Result<Response<pb::GetChallengeResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.AuthService/GetChallenge", request);
        let participant = convert::taxpayer("participant", &message.participant);
        let outcome =
            auth::challenge(&mut call, participant).map(|challenge| pb::GetChallengeResponse {
                challenge: challenge.challenge,
                expires_ms: challenge.expires_ms,
            });
        call.finish_grpc(outcome).await
    }

    async fn sign_in(
        &self,
        request: Request<pb::SignInRequest>,
    ) -> Result<Response<pb::SignInResponse>, Status> {
        let (mut call, message) = begin(&self.app, "tanba.v1.AuthService/SignIn", request);
        let outcome = auth::sign_in(&mut call, convert::sign_in_from(message)).map(|token| {
            pb::SignInResponse {
                token: token.token,
                expires_ms: token.expires_ms,
            }
        });
        call.finish_grpc(outcome).await
    }
}
