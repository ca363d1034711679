#include "libs/rpc/call_observer.h"

namespace candor::rpc {

CallObserver& NoopObserver() {
  // Leaked on purpose: calls may still finish on gRPC threads during static destruction.
  static auto* observer = new NoopCallObserver();
  return *observer;
}

}  // namespace candor::rpc
