// The exec target of process.fork_exec: a statically linked program that does nothing and exits 0,
// so the probe measures fork + execve + exit + wait, not the dynamic loader or a shell.
int main(void) { return 0; }
