/* Loads each program of attach_check.bpf.c alone, attaches it for 0.2 s and prints "name: attached, N hits" or
 * the step that was refused with its errno (docs/METHODOLOGY.md, "The switch itself"). Measurement-only.
 * Usage: attach_check OBJECT.bpf.o   Build (as for results/observer/attach_check.txt):
 *   clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -c attach_check.bpf.c -o /tmp/a.bpf.o
 *   cc -O1 -Wall -Werror -o /tmp/attach_check attach_check.c -lbpf */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* libbpf's warnings of the current load (the verifier's log among them), newlines folded. */
static char last_message[4000];
static int keep(enum libbpf_print_level level, const char* format, va_list args) {
  size_t used = strlen(last_message);
  if (level != LIBBPF_DEBUG && used + 1 < sizeof last_message)
    vsnprintf(last_message + used, sizeof last_message - used, format, args);
  for (char* c = last_message; *c; ++c)
    if (*c == '\n') *c = ' ';
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: attach_check OBJECT.bpf.o\n");
    return 2;
  }
  libbpf_set_print(keep);
  struct bpf_object* probe = bpf_object__open_file(argv[1], NULL);
  if (probe == NULL) {
    fprintf(stderr, "attach_check: cannot open %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  struct bpf_program* p;
  bpf_object__for_each_program(p, probe) {
    const char* name = bpf_program__name(p);
    struct bpf_object* obj = bpf_object__open_file(argv[1], NULL);
    struct bpf_program* q;
    bpf_object__for_each_program(q, obj) bpf_program__set_autoload(q, strcmp(bpf_program__name(q), name) == 0);
    last_message[0] = 0;
    int err = bpf_object__load(obj);
    if (err != 0) {
      printf("%-28s %-24s refused at load: %s (errno %d) [libbpf: %s]\n", name, bpf_program__section_name(p),
             strerror(-err), -err, last_message);
      bpf_object__close(obj);
      continue;
    }
    struct bpf_link* link = bpf_program__attach(bpf_object__find_program_by_name(obj, name));
    if (link == NULL) {
      err = errno;
      printf("%-28s %-24s refused at attach: %s (errno %d) [libbpf: %s]\n", name, bpf_program__section_name(p),
             strerror(err), err, last_message);
    } else {
      usleep(200000);
      unsigned long long hits = 0;
      const int zero = 0;
      bpf_map__lookup_elem(bpf_object__find_map_by_name(obj, ".bss"), &zero, sizeof zero, &hits, sizeof hits, 0);
      printf("%-28s %-24s attached, %llu hits in 0.2 s\n", name, bpf_program__section_name(p), hits);
      bpf_link__destroy(link);
    }
    bpf_object__close(obj);
  }
  bpf_object__close(probe);
  return 0;
}
