#!/usr/bin/python3
"""A gRPC client for Candor that is not ours: Debian's python3-grpcio plus our protos.

Generates the Python stubs from proto/ into a temporary directory (python3-grpc-tools), submits
one review with a bearer token, then reads the product summary. Exit code 0 when both calls
answered (any status is printed), 1 on a transport failure.

  scripts/python_client.py --token "$TOKEN" --asin B00004Y2UT --rating 5 --body "Great strings"
"""
import argparse
import os
import sys
import tempfile

import grpc
from grpc_tools import protoc


def load_stubs(proto_root):
    out = tempfile.mkdtemp(prefix="candor-py-")
    # The service's REST routes (google.api.http) import Google's API protos, which Debian's
    # golang-github-grpc-ecosystem-grpc-gateway-dev ships; their Python modules are generated too.
    googleapis = ("/usr/share/gocode/src/github.com/grpc-ecosystem/grpc-gateway/third_party/"
                  "googleapis")
    args = ["protoc", f"-I{proto_root}", f"-I{googleapis}", f"--python_out={out}",
            f"--grpc_python_out={out}",
            "candor/review/v1/review_service.proto", "candor/review/v1/review_status.proto",
            "candor/review/v1/events.proto", "google/api/http.proto",
            "google/api/annotations.proto"]
    if protoc.main(args) != 0:
        sys.exit("protoc failed")
    sys.path.insert(0, out)
    from candor.review.v1 import review_service_pb2, review_service_pb2_grpc  # noqa: E402
    return review_service_pb2, review_service_pb2_grpc


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gateway", default=os.environ.get("CANDOR_GATEWAY_ADDR", "127.0.0.1:50051"))
    p.add_argument("--token", required=True, help="JWT from tools/candor-token")
    p.add_argument("--asin", required=True)
    p.add_argument("--rating", type=int, default=5)
    p.add_argument("--title", default="")
    p.add_argument("--body", default="")
    p.add_argument("--verified", action="store_true")
    p.add_argument("--summary-only", action="store_true", help="skip the submit")
    a = p.parse_args()

    pb, pb_grpc = load_stubs(os.path.join(root, "proto"))
    stub = pb_grpc.ReviewServiceStub(grpc.insecure_channel(a.gateway))
    md = [("authorization", f"Bearer {a.token}")]
    try:
        if not a.summary_only:
            req = pb.SubmitReviewRequest(asin=a.asin, rating=a.rating, title=a.title.encode(),
                                         body=a.body.encode(), verified_purchase=a.verified)
            try:
                resp = stub.SubmitReview(req, metadata=md, timeout=10)
                print(f"SubmitReview: OK review_id={resp.review_id} "
                      f"status={pb.ReviewStatus.Name(resp.status)}")
            except grpc.RpcError as e:
                if e.code() == grpc.StatusCode.UNAVAILABLE and "connect" in (e.details() or ""):
                    raise
                print(f"SubmitReview: {e.code().name}: {e.details()}")
        try:
            s = stub.GetProductSummary(pb.GetProductSummaryRequest(asin=a.asin), metadata=md,
                                       timeout=10)
            print(f"GetProductSummary: count={s.review_count} average={s.average:.4f} "
                  f"display={s.display_average:.4f} verified={s.verified_count}/"
                  f"{s.verified_average:.4f} histogram={list(s.histogram)} version={s.version}")
        except grpc.RpcError as e:
            print(f"GetProductSummary: {e.code().name}: {e.details()}")
    except grpc.RpcError as e:
        print(f"transport failure: {e.code().name}: {e.details()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
