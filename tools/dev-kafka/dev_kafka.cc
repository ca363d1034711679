// candor-dev-kafka: hosts librdkafka's mock cluster (rdkafka_mock.h) as a long-running process on
// loopback so that real Kafka clients (kcat, the Candor services) can use it as a broker on a
// developer machine or in CI, where no real Kafka is available (design.md section 2).
//
// librdkafka 2.0's mock brokers listen on random ports and offer no way to choose one. To give
// clients a fixed, configurable bootstrap address, this tool listens on 127.0.0.1:--port itself
// and forwards every accepted connection byte for byte to the first mock broker. Metadata
// responses advertise the mock brokers' real (random) addresses, so clients bootstrap through the
// fixed port and then talk to the brokers directly.
//
// The forwarder is a single-threaded poll() loop: connection counts are tiny (a few per client),
// and one thread means shutdown needs no cross-thread coordination. Signals arrive through a
// signalfd in the same poll set.

#include <arpa/inet.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "libs/events/topics.h"

namespace candor::dev_kafka {
namespace {

constexpr std::string_view kProgram = "candor-dev-kafka";
constexpr int kDefaultPort = 9092;
constexpr int kDefaultBrokers = 1;
constexpr int kDefaultPartitions = 4;

// The topics a local stack needs: those the services produce and consume and, for each topic a
// consumer service reads, its dead-letter topic. The ones with a codec in libs/events are named
// by its constants; the others have no contract there yet.
std::vector<std::string> DefaultTopics() {
  return {events::kReviewSubmissionsTopic,
          events::kReviewEventsTopic,
          events::kHelpfulVotesTopic,
          events::kReviewScoresTopic,
          "reco-impressions",
          events::DeadLetterTopic(events::kReviewSubmissionsTopic),
          events::DeadLetterTopic(events::kReviewEventsTopic),
          events::DeadLetterTopic(events::kHelpfulVotesTopic)};
}

// `topics` as the --topics flag takes them: comma-separated.
std::string JoinTopics(const std::vector<std::string>& topics) {
  std::string out;
  for (const std::string& topic : topics) {
    if (!out.empty()) out += ',';
    out += topic;
  }
  return out;
}

// Per direction. Large enough that a fetch response moves in a few syscalls, small enough that a
// stalled reader cannot make the tool hoard memory.
constexpr size_t kBufferSize = size_t{256} * 1024;

// Exit codes: 1 for runtime failures (port in use, cluster could not start), 2 for bad usage.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Writes one timestamped line to stderr. stderr is unbuffered, and each call is a single fprintf,
// so lines from librdkafka's own threads (which log to stderr too) do not interleave mid-line.
[[gnu::format(printf, 1, 2)]] void Log(const char* format, ...) {
  timeval now{};
  gettimeofday(&now, nullptr);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  char stamp[32];
  strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &utc);

  char message[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  fprintf(stderr, "%s.%03dZ %s: %s\n", stamp, static_cast<int>(now.tv_usec / 1000), kProgram.data(),
          message);
}

struct Options {
  int port = kDefaultPort;
  int brokers = kDefaultBrokers;
  int partitions = kDefaultPartitions;
  std::vector<std::string> topics;
  std::string ready_file;
};

void PrintUsage(FILE* out) {
  fprintf(out,
          "Usage: %s [flags]\n"
          "\n"
          "Runs librdkafka's mock Kafka cluster on loopback and forwards a fixed bootstrap port\n"
          "to it, so kcat and the Candor services can use it as a Kafka broker.\n"
          "\n"
          "Flags:\n"
          "  --port N            bootstrap port on 127.0.0.1, 0 picks a free one (default %d)\n"
          "  --brokers N         number of mock brokers (default %d)\n"
          "  --partitions N      partitions per topic (default %d)\n"
          "  --topics a,b,c      topics to create, default:\n"
          "                      %s\n"
          "  --ready-file PATH   once the topics exist, atomically write the bootstrap address\n"
          "                      to PATH; removed again on clean shutdown (default: none)\n"
          "  --help              print this help and exit\n"
          "\n"
          "Exit codes: 0 after SIGTERM/SIGINT, 1 on failure (e.g. port in use), 2 on bad usage.\n",
          kProgram.data(), kDefaultPort, kDefaultBrokers, kDefaultPartitions,
          JoinTopics(DefaultTopics()).c_str());
}

std::optional<int> ParseInt(std::string_view text, int min, int max) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::vector<std::string> SplitTopics(std::string_view list) {
  std::vector<std::string> topics;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view topic = list.substr(0, comma);
    if (!topic.empty()) topics.emplace_back(topic);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return topics;
}

// Returns the options, or an exit code when the program should stop (help printed: 0, bad
// usage: 2). Accepts both "--flag value" and "--flag=value".
std::variant<Options, int> ParseFlags(int argc, char** argv) {
  Options options;
  options.topics = DefaultTopics();
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      PrintUsage(stdout);
      return 0;
    }
    std::string_view value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const bool known = arg == "--port" || arg == "--brokers" || arg == "--partitions" ||
                       arg == "--topics" || arg == "--ready-file";
    if (!known) {
      fprintf(stderr, "%s: unknown flag '%s'\n\n", kProgram.data(), argv[i]);
      PrintUsage(stderr);
      return kExitUsage;
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        fprintf(stderr, "%s: flag %s needs a value\n", kProgram.data(), argv[i]);
        return kExitUsage;
      }
      value = argv[++i];
    }
    auto bad_value = [&](const char* expected) {
      fprintf(stderr, "%s: bad value '%.*s' for %.*s: expected %s\n", kProgram.data(),
              static_cast<int>(value.size()), value.data(), static_cast<int>(arg.size()),
              arg.data(), expected);
      return kExitUsage;
    };
    if (arg == "--port") {
      const std::optional<int> port = ParseInt(value, 0, 65535);
      if (!port) return bad_value("a port number 0..65535");
      options.port = *port;
    } else if (arg == "--brokers") {
      const std::optional<int> brokers = ParseInt(value, 1, 64);
      if (!brokers) return bad_value("an integer 1..64");
      options.brokers = *brokers;
    } else if (arg == "--partitions") {
      const std::optional<int> partitions = ParseInt(value, 1, 1024);
      if (!partitions) return bad_value("an integer 1..1024");
      options.partitions = *partitions;
    } else if (arg == "--topics") {
      options.topics = SplitTopics(value);
      if (options.topics.empty()) return bad_value("a comma-separated list of topic names");
    } else {
      if (value.empty()) return bad_value("a file path");
      options.ready_file = std::string(value);
    }
  }
  return options;
}

// Closes a file descriptor on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.Release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  ~Fd() { Reset(); }

  int Get() const { return fd_; }
  bool IsValid() const { return fd_ >= 0; }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

bool SetNonBlocking(int fd) {
  const int flags = fcntl(fd, F_GETFL, 0);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

std::string PeerName(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char host[INET_ADDRSTRLEN] = "?";
  inet_ntop(AF_INET, &addr.sin_addr, host, sizeof(host));
  return std::string(host) + ":" + std::to_string(ntohs(addr.sin_port));
}

// The first "host:port" of the mock cluster's bootstrap list, resolved once at startup.
struct Upstream {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string name;
};

std::optional<Upstream> ResolveFirstBroker(std::string_view bootstraps) {
  std::string first(bootstraps.substr(0, bootstraps.find(',')));
  const size_t colon = first.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string host = first.substr(0, colon);
  const std::string port = first.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &result) != 0 || result == nullptr) {
    return std::nullopt;
  }
  Upstream upstream;
  memcpy(&upstream.addr, result->ai_addr, result->ai_addrlen);
  upstream.len = result->ai_addrlen;
  upstream.name = first;
  freeaddrinfo(result);
  return upstream;
}

// One direction of a forwarded connection: bytes read from one socket, waiting to be written to
// the other.
struct Pipe {
  std::unique_ptr<char[]> data = std::make_unique<char[]>(kBufferSize);
  size_t begin = 0;
  size_t end = 0;
  bool source_closed = false;  // EOF seen on the reading side.
  bool sink_shut = false;      // shutdown(SHUT_WR) already sent to the writing side.

  bool HasData() const { return begin < end; }
  bool HasRoom() const { return !source_closed && end < kBufferSize; }
  bool Done() const { return source_closed && !HasData(); }
};

// A client connection and its connection to the mock broker.
struct Session {
  Fd client;
  Fd broker;
  Pipe to_broker;
  Pipe to_client;
  std::string peer;
  bool failed = false;

  bool Finished() const { return failed || (to_broker.Done() && to_client.Done()); }
};

// Moves bytes from `from` into the pipe. Returns false on a hard error.
bool FillPipe(int from, Pipe& pipe) {
  if (pipe.begin == pipe.end) pipe.begin = pipe.end = 0;
  while (pipe.HasRoom()) {
    const ssize_t n = recv(from, pipe.data.get() + pipe.end, kBufferSize - pipe.end, 0);
    if (n > 0) {
      pipe.end += static_cast<size_t>(n);
    } else if (n == 0) {
      pipe.source_closed = true;
    } else if (errno == EINTR) {
      continue;
    } else {
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
  }
  return true;
}

// Moves bytes from the pipe into `to`, and passes a half-close on once the pipe is drained.
// Returns false on a hard error.
bool DrainPipe(int to, Pipe& pipe) {
  while (pipe.HasData()) {
    // MSG_NOSIGNAL: a peer that went away must end its session, not the whole process.
    const ssize_t n = send(to, pipe.data.get() + pipe.begin, pipe.end - pipe.begin, MSG_NOSIGNAL);
    if (n > 0) {
      pipe.begin += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    } else {
      return false;
    }
  }
  pipe.begin = pipe.end = 0;
  if (pipe.source_closed && !pipe.sink_shut) {
    shutdown(to, SHUT_WR);
    pipe.sink_shut = true;
  }
  return true;
}

// Opens the listener. Returns an invalid Fd (after logging why) on failure.
Fd Listen(int port) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.IsValid()) {
    Log("error: socket: %s", strerror(errno));
    return Fd();
  }
  // SO_REUSEADDR lets a restarted tool rebind while old connections sit in TIME_WAIT; it does not
  // allow two live listeners on one port, so "port in use" is still detected.
  const int one = 1;
  setsockopt(fd.Get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Log("error: cannot listen on 127.0.0.1:%d: %s%s", port, strerror(errno),
        errno == EADDRINUSE ? " (is another broker or stack already running there?)" : "");
    return Fd();
  }
  if (listen(fd.Get(), SOMAXCONN) != 0 || !SetNonBlocking(fd.Get())) {
    Log("error: cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
    return Fd();
  }
  return fd;
}

int BoundPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

// Writes `content` to `path` via a temporary file and rename(), so a reader polling for the file
// never sees it half written.
bool WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  FILE* file = fopen(tmp.c_str(), "w");
  if (file == nullptr) {
    Log("error: cannot write %s: %s", tmp.c_str(), strerror(errno));
    return false;
  }
  const bool written = fwrite(content.data(), 1, content.size(), file) == content.size();
  if (fclose(file) != 0 || !written || rename(tmp.c_str(), path.c_str()) != 0) {
    Log("error: cannot write %s: %s", path.c_str(), strerror(errno));
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

// Owns the rd_kafka_t handle the mock cluster hangs off and the cluster itself, destroying them
// in the right order (cluster first: it references the handle).
class MockCluster {
 public:
  MockCluster() = default;
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;
  ~MockCluster() {
    if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
    if (handle_ != nullptr) rd_kafka_destroy(handle_);
  }

  bool Start(int brokers) {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // The handle is only the cluster's bookkeeping anchor and never connects anywhere; keep its
    // "no bootstrap.servers configured" notice out of the log.
    if (rd_kafka_conf_set(conf, "log_level", "4", error, sizeof(error)) != RD_KAFKA_CONF_OK) {
      Log("warning: %s", error);
    }
    // The mock brokers' sockets take their options from this handle. Real Kafka brokers set
    // TCP_NODELAY; without it a small response that follows another waits for the client's
    // delayed ACK (~40 ms on Linux), which is what the producers' delivery reports showed.
    if (rd_kafka_conf_set(conf, "socket.nagle.disable", "true", error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      Log("warning: %s", error);
    }
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    if (handle_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      Log("error: rd_kafka_new: %s", error);
      return false;
    }
    cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
    if (cluster_ == nullptr) {
      Log("error: rd_kafka_mock_cluster_new failed");
      return false;
    }
    return true;
  }

  bool CreateTopic(const std::string& topic, int partitions) {
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, /*replication_factor=*/1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Log("error: cannot create topic %s: %s", topic.c_str(), rd_kafka_err2str(err));
      return false;
    }
    return true;
  }

  std::string Bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

 private:
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

// Accepts every pending connection and opens its upstream side.
void AcceptAll(int listener, const Upstream& upstream,
               std::vector<std::unique_ptr<Session>>& sessions) {
  while (true) {
    Fd client(accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!client.IsValid()) {
      if (errno == EINTR) continue;
      // EAGAIN: nothing left. Anything else (EMFILE, a connection reset before accept) affects
      // only that connection; log it and carry on serving the rest.
      if (errno != EAGAIN && errno != EWOULDBLOCK) Log("accept: %s", strerror(errno));
      return;
    }
    auto session = std::make_unique<Session>();
    session->peer = PeerName(client.Get());
    // A blocking connect is fine: the broker is on loopback, so it completes or fails at once.
    Fd broker(socket(upstream.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!broker.IsValid() ||
        connect(broker.Get(), reinterpret_cast<const sockaddr*>(&upstream.addr), upstream.len) !=
            0 ||
        !SetNonBlocking(broker.Get())) {
      Log("connection from %s dropped: cannot reach mock broker %s: %s", session->peer.c_str(),
          upstream.name.c_str(), strerror(errno));
      continue;
    }
    // Kafka requests are small request/response exchanges; Nagle would only add latency.
    const int one = 1;
    setsockopt(client.Get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(broker.Get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    session->client = std::move(client);
    session->broker = std::move(broker);
    Log("connection from %s accepted (%zu open)", session->peer.c_str(), sessions.size() + 1);
    sessions.push_back(std::move(session));
  }
}

// Runs the forwarder until SIGTERM or SIGINT arrives on `signal_fd`.
void Serve(int listener, int signal_fd, const Upstream& upstream) {
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<pollfd> fds;
  while (true) {
    // Slots 0 and 1 are the signalfd and the listener; then two per session, client then broker.
    fds.clear();
    fds.push_back({signal_fd, POLLIN, 0});
    fds.push_back({listener, POLLIN, 0});
    for (const auto& s : sessions) {
      short client_events = 0;
      short broker_events = 0;
      if (s->to_broker.HasRoom()) client_events |= POLLIN;
      if (s->to_client.HasData()) client_events |= POLLOUT;
      if (s->to_client.HasRoom()) broker_events |= POLLIN;
      if (s->to_broker.HasData()) broker_events |= POLLOUT;
      // A socket with nothing to wait for is left out (fd -1): otherwise a hang-up on it would
      // make poll() return at once, over and over, without anything to do.
      fds.push_back({client_events != 0 ? s->client.Get() : -1, client_events, 0});
      fds.push_back({broker_events != 0 ? s->broker.Get() : -1, broker_events, 0});
    }

    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      Log("error: poll: %s", strerror(errno));
      return;
    }

    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
        Log("received %s, shutting down (%zu connections open)",
            strsignal(static_cast<int>(info.ssi_signo)), sessions.size());
      }
      return;
    }

    for (size_t i = 0; i < sessions.size(); ++i) {
      Session& s = *sessions[i];
      const pollfd& client = fds[2 + 2 * i];
      const pollfd& broker = fds[3 + 2 * i];
      // A socket error ends the session: Kafka has no use for a half-delivered request.
      if ((client.revents | broker.revents) & (POLLERR | POLLNVAL)) {
        s.failed = true;
        continue;
      }
      // POLLHUP also means "read now": recv() then reports the EOF.
      const short readable = POLLIN | POLLHUP;
      bool ok = true;
      if (client.revents & readable) ok = ok && FillPipe(s.client.Get(), s.to_broker);
      if (broker.revents & readable) ok = ok && FillPipe(s.broker.Get(), s.to_client);
      // Try to write whatever is buffered now instead of waiting for another poll round.
      ok = ok && DrainPipe(s.broker.Get(), s.to_broker);
      ok = ok && DrainPipe(s.client.Get(), s.to_client);
      s.failed = !ok;
    }

    // Drop finished sessions; Fd closes both sockets.
    for (size_t i = 0; i < sessions.size();) {
      if (sessions[i]->Finished()) {
        Log("connection from %s closed%s", sessions[i]->peer.c_str(),
            sessions[i]->failed ? " (socket error)" : "");
        sessions[i] = std::move(sessions.back());
        sessions.pop_back();
      } else {
        ++i;
      }
    }

    if (fds[1].revents & POLLIN) AcceptAll(listener, upstream, sessions);
  }
}

int Run(const Options& options) {
  // Block the termination signals before librdkafka starts its threads, so every thread inherits
  // the mask and the signals are only ever delivered through the signalfd in the poll loop.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  if (pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) {
    Log("error: cannot block signals");
    return kExitFailure;
  }
  Fd signal_fd(signalfd(-1, &signals, SFD_CLOEXEC));
  if (!signal_fd.IsValid()) {
    Log("error: signalfd: %s", strerror(errno));
    return kExitFailure;
  }
  signal(SIGPIPE, SIG_IGN);

  Log("starting: port %d, %d broker(s), %d partition(s) per topic", options.port, options.brokers,
      options.partitions);
  // Bind first: a port clash is the most likely failure and should not cost a cluster start.
  Fd listener = Listen(options.port);
  if (!listener.IsValid()) return kExitFailure;
  const int port = BoundPort(listener.Get());

  MockCluster cluster;
  if (!cluster.Start(options.brokers)) return kExitFailure;
  const std::string brokers = cluster.Bootstraps();
  const std::optional<Upstream> upstream = ResolveFirstBroker(brokers);
  if (!upstream) {
    Log("error: cannot resolve the mock broker address '%s'", brokers.c_str());
    return kExitFailure;
  }
  Log("mock cluster started: %d broker(s) at %s", options.brokers, brokers.c_str());

  std::string topic_list;
  for (const std::string& topic : options.topics) {
    if (!cluster.CreateTopic(topic, options.partitions)) return kExitFailure;
    topic_list += (topic_list.empty() ? "" : ",") + topic;
  }
  Log("created %zu topic(s) with %d partition(s) each: %s", options.topics.size(),
      options.partitions, topic_list.c_str());

  const std::string bootstrap = "127.0.0.1:" + std::to_string(port);
  // stdout carries only the addresses, for scripts; everything else goes to the stderr log.
  printf("bootstrap: %s\nbrokers: %s\n", bootstrap.c_str(), brokers.c_str());
  fflush(stdout);
  // The ready file is written last, once clients can really connect and find the topics.
  if (!options.ready_file.empty() && !WriteFileAtomically(options.ready_file, bootstrap + "\n")) {
    return kExitFailure;
  }
  Log("listening on %s, forwarding to %s", bootstrap.c_str(), upstream->name.c_str());

  Serve(listener.Get(), signal_fd.Get(), *upstream);

  // Stop accepting before the cluster goes away, and withdraw the ready file so nobody is told
  // about a broker that no longer exists.
  listener.Reset();
  if (!options.ready_file.empty()) unlink(options.ready_file.c_str());
  Log("listener closed, destroying mock cluster");
  return 0;  // ~MockCluster destroys the cluster, then its handle.
}

}  // namespace
}  // namespace candor::dev_kafka

int main(int argc, char** argv) {
  const auto parsed = candor::dev_kafka::ParseFlags(argc, argv);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  const int exit_code = candor::dev_kafka::Run(std::get<candor::dev_kafka::Options>(parsed));
  candor::dev_kafka::Log(exit_code == 0 ? "stopped" : "exiting after an error");
  return exit_code;
}
