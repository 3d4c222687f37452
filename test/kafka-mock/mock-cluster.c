/*
 * A Kafka protocol peer for the test suites: librdkafka's mock cluster in a process of its own.
 *
 * No Kafka broker can be installed where the tests run, but librdkafka (Debian's librdkafka-dev)
 * ships an in-memory mock cluster that speaks the wire protocol over TCP; kafkajs connects to it
 * like to any broker.
 *
 * Usage: mock-cluster [topic[:partitions]]...
 *   Creates the named topics (three partitions unless given) on a one-broker cluster, prints the
 *   bootstrap list as the first line of standard output and runs until SIGTERM or SIGINT, or
 *   until its standard input closes: a test process that dies without killing it (a crashed
 *   suite) leaves no cluster behind.
 *
 * Commands on standard input, one per line, each answered by one line on standard output:
 *   down   the broker drops every connection and refuses new ones (a broker outage; the topics
 *          and their messages stay, as a real broker's log does on disk)  -> "ok down"
 *   up     the broker accepts connections again                         -> "ok up"
 *
 * Limits of the mock in librdkafka 2.0.2 that the suites rely on knowing: it reports no
 * controller, so CreateTopics and idempotent producers fail (topics are created here); it has
 * no transactions for kafkajs; its log lives in memory only.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define DEFAULT_PARTITIONS 3
#define BROKERS 1

static volatile sig_atomic_t stopping = 0;

static void on_signal(int signo) {
  (void)signo;
  stopping = 1;
}

static int create_topic(rd_kafka_mock_cluster_t *cluster, const char *spec) {
  char name[512];
  int partitions = DEFAULT_PARTITIONS;
  const char *colon = strrchr(spec, ':');
  size_t length = colon ? (size_t)(colon - spec) : strlen(spec);
  if (length == 0 || length >= sizeof name) {
    fprintf(stderr, "mock-cluster: bad topic '%s'\n", spec);
    return -1;
  }
  memcpy(name, spec, length);
  name[length] = '\0';
  if (colon) {
    char *end = NULL;
    long parsed = strtol(colon + 1, &end, 10);
    if (*end != '\0' || parsed < 1 || parsed > 1000) {
      fprintf(stderr, "mock-cluster: bad partition count in '%s'\n", spec);
      return -1;
    }
    partitions = (int)parsed;
  }
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, name, partitions, 1);
  if (err) {
    fprintf(stderr, "mock-cluster: creating topic '%s' failed: %s\n", name, rd_kafka_err2str(err));
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The handle only hosts the mock cluster; keep its own logging quiet. */
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "mock-cluster: rd_kafka_new failed: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, BROKERS);
  if (!cluster) {
    fprintf(stderr, "mock-cluster: rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }
  for (int i = 1; i < argc; i++) {
    if (create_topic(cluster, argv[i]) != 0) {
      rd_kafka_mock_cluster_destroy(cluster);
      rd_kafka_destroy(rk);
      return 2;
    }
  }

  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);
  signal(SIGPIPE, SIG_IGN);

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);

  char line[128];
  while (!stopping) {
    if (fgets(line, sizeof line, stdin) == NULL) {
      if (ferror(stdin) && errno == EINTR) {
        clearerr(stdin);
        continue;
      }
      /* Standard input closed: whoever started the cluster is gone. */
      break;
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (strcmp(line, "down") == 0) {
      rd_kafka_mock_broker_set_down(cluster, -1);
      printf("ok down\n");
    } else if (strcmp(line, "up") == 0) {
      rd_kafka_mock_broker_set_up(cluster, -1);
      printf("ok up\n");
    } else if (line[0] != '\0') {
      printf("error unknown command '%s'\n", line);
    }
    fflush(stdout);
  }

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
