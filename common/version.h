/* SPDX-License-Identifier: MIT */
/* The screc version, written into every recording. */
#ifndef SCREC_VERSION_H
#define SCREC_VERSION_H

#define SCREC_VERSION "0.1.0"

#endif
