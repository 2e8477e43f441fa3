/* SPDX-License-Identifier: MIT */
/* The subcommands of the screc program, one function each. */
#ifndef SCREC_H
#define SCREC_H

/* Each takes the subcommand's own argv (argv[0] is its name) and returns the exit status. */
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* `screc archive FILE`: add the recorded processes' binaries to a recording. */
int cmd_archive(int argc, char **argv);
/* `screc info FILE`: the same as `screc report --info FILE`. */
int cmd_info(int argc, char **argv);
/* `screc diff A B`: the report of two recordings into a diff sink. */
int cmd_diff(int argc, char **argv);

#endif
