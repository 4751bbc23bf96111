/*
 * cmds.h — the subcommands, one per node/cmd_<name>.c. Each takes the
 * arguments after `cxnode` (argv[0] is the command name) and returns an exit
 * code (node/cli.h).
 */
#ifndef CX_CMDS_H
#define CX_CMDS_H

int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_prove(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_reindex(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_federation(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_verify_receipt(int argc, char **argv);
int cmd_quality(int argc, char **argv);

/* `cxnode federation install` (node/cmd_install.c) */
int fed_install_cmd(int argc, char **argv);

#endif
