/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mxc: the matrix-core command-line tool. Human subcommands for everyday
 * use, and `mxc batch`, the JSON-lines protocol through which outside
 * harnesses drive the library (../shared/DESIGN.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cli.h"

const cli_op cli_ops[] = {
	{"canonical", op_canonical},
	{"sign_json", op_sign_json},
	{"verify_json", op_verify_json},
	{"content_hash", op_content_hash},
	{"reference_hash", op_reference_hash},
	{"event_id", op_event_id},
	{"room_id", op_room_id},
	{"redact", op_redact},
	{"sign_event", op_sign_event},
	{"verify_event", op_verify_event},
	{"auth_types", op_auth_types},
	{"auth", op_auth},
	{"resolve", op_resolve},
	{"build_event", op_build_event},
	{"check_pdu", op_check_pdu},
	{NULL, NULL},
};

static void
usage(FILE *f)
{
	fputs("usage: mxc COMMAND [ARGS]\n"
	      "\n"
	      "  canonical [--room-version V] [FILE]   canonical JSON of FILE "
	      "(or stdin)\n"
	      "  keygen [--version NAME]               new ed25519 key, as "
	      "\"ed25519 NAME SEED\"\n"
	      "  pubkey KEYFILE                        key ID and public key "
	      "of a key file\n"
	      "  sign --key KEYFILE --server NAME [FILE]\n"
	      "                                        sign a JSON object\n"
	      "  verify --server NAME (--key KEYFILE | --key-id ID "
	      "--public-key B64) [FILE]\n"
	      "                                        check a signature "
	      "(exit 1 if invalid)\n"
	      "  build-event [FILE]                    build and sign an event "
	      "from a\n"
	      "                                        build_event request "
	      "(exit 1 if the\n"
	      "                                        auth rules reject it)\n"
	      "  check-pdu FILE                        check a received PDU "
	      "from a\n"
	      "                                        check_pdu request (exit "
	      "1 if rejected\n"
	      "                                        or dropped)\n"
	      "  batch                                 JSON-lines protocol "
	      "on stdin/stdout\n"
	      "  version                               library version\n",
	      f);
}

static int
die(const char *what, int status, const mxc_error *err)
{
	if (err && err->message[0])
		fprintf(stderr, "mxc: %s: %s (%s%s%s)\n", what, err->message,
		        mxc_strerror(status), err->subject[0] ? " at " : "",
		        err->subject);
	else
		fprintf(stderr, "mxc: %s: %s\n", what, mxc_strerror(status));
	return 2;
}

/* Option parsing: --name VALUE pairs, then at most one positional. */
static const char *
opt(int argc, char **argv, const char *name)
{
	for (int i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static const char *
positional(int argc, char **argv)
{
	const char *p = NULL;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			i++;
			continue;
		}
		p = argv[i];
	}
	return p;
}

static mxc_json *
read_json(const char *path, unsigned flags)
{
	size_t len;
	char *text = cli_read_file(path, &len);
	if (!text) {
		fprintf(stderr, "mxc: cannot read %s: %s\n", path ? path : "stdin",
		        strerror(errno));
		return NULL;
	}
	mxc_json *v = NULL;
	mxc_error err;
	int rc = mxc_json_parse(&v, text, len, flags, NULL, &err);
	free(text);
	if (rc) {
		die(path ? path : "stdin", rc, &err);
		return NULL;
	}
	return v;
}

/* A Synapse-style key file: "ed25519 VERSION SEED". */
static mxc_signing_key *
load_key(const char *path)
{
	size_t len;
	char *text = cli_read_file(path, &len);
	if (!text) {
		fprintf(stderr, "mxc: cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	char alg[32], ver[128], seed[128];
	mxc_signing_key *key = NULL;
	if (sscanf(text, "%31s %127s %127s", alg, ver, seed) != 3) {
		fprintf(stderr, "mxc: %s: expected \"ed25519 VERSION SEED\"\n",
		        path);
	} else {
		char kid[200];
		snprintf(kid, sizeof kid, "%s:%s", alg, ver);
		mxc_error err;
		int rc = mxc_signing_key_from_base64(&key, seed, strlen(seed),
		                                     kid, NULL, &err);
		if (rc)
			die(path, rc, &err);
	}
	free(text);
	return key;
}

static int
cmd_canonical(int argc, char **argv)
{
	unsigned flags = 0;
	const char *v = opt(argc, argv, "--room-version");
	if (v) {
		const mxc_room_version *rv;
		mxc_error err;
		int rc = mxc_room_version_get(&rv, v, strlen(v), &err);
		if (rc)
			return die("--room-version", rc, &err);
		if (!mxc_room_version_strict_canonical_json(rv))
			flags = MXC_JSON_LENIENT_NUMBERS;
	}
	const char *path = positional(argc, argv);
	size_t len;
	char *text = cli_read_file(path, &len);
	if (!text) {
		fprintf(stderr, "mxc: cannot read %s\n", path ? path : "stdin");
		return 2;
	}
	mxc_buf out = MXC_BUF_INIT;
	mxc_error err;
	int rc = mxc_canonical_json(&out, text, len, flags, &err);
	free(text);
	if (rc == MXC_OK) {
		fwrite(out.data, 1, out.len, stdout);
		putchar('\n');
	}
	mxc_buf_dispose(&out);
	return rc ? die(path ? path : "stdin", rc, &err) : 0;
}

static int
cmd_keygen(int argc, char **argv)
{
	const char *ver = opt(argc, argv, "--version");
	uint8_t seed[MXC_ED25519_SEED_BYTES];
	if (getrandom(seed, sizeof seed, 0) != (ssize_t)sizeof seed) {
		fprintf(stderr, "mxc: getrandom: %s\n", strerror(errno));
		return 2;
	}
	char kid[160];
	snprintf(kid, sizeof kid, "ed25519:%s", ver ? ver : "auto");
	mxc_signing_key *key = NULL;
	mxc_error err;
	int rc = mxc_signing_key_new(&key, seed, sizeof seed, kid, NULL, &err);
	if (rc)
		return die("keygen", rc, &err);
	mxc_buf b64 = MXC_BUF_INIT;
	rc = mxc_base64_encode(&b64, seed, sizeof seed, 0);
	memset(seed, 0, sizeof seed);
	if (rc == MXC_OK)
		printf("ed25519 %s %s\n", ver ? ver : "auto", b64.data);
	memset(b64.data, 0, b64.len);
	mxc_buf_dispose(&b64);
	mxc_signing_key_free(key);
	return rc ? die("keygen", rc, NULL) : 0;
}

static int
cmd_pubkey(int argc, char **argv)
{
	const char *path = positional(argc, argv);
	if (!path) {
		usage(stderr);
		return 2;
	}
	mxc_signing_key *key = load_key(path);
	if (!key)
		return 2;
	uint8_t pub[MXC_ED25519_PUBLIC_BYTES];
	mxc_signing_key_public(pub, key);
	mxc_buf b64 = MXC_BUF_INIT;
	int rc = mxc_base64_encode(&b64, pub, sizeof pub, 0);
	if (rc == MXC_OK)
		printf("%s %s\n", mxc_signing_key_id(key), b64.data);
	mxc_buf_dispose(&b64);
	mxc_signing_key_free(key);
	return rc ? die("pubkey", rc, NULL) : 0;
}

static int
cmd_sign(int argc, char **argv)
{
	const char *keyfile = opt(argc, argv, "--key");
	const char *server = opt(argc, argv, "--server");
	if (!keyfile || !server) {
		usage(stderr);
		return 2;
	}
	mxc_signing_key *key = load_key(keyfile);
	if (!key)
		return 2;
	mxc_json *obj = read_json(positional(argc, argv), 0);
	if (!obj) {
		mxc_signing_key_free(key);
		return 2;
	}
	mxc_json *out = NULL;
	mxc_error err;
	int rc = mxc_json_sign(&out, obj, server, key, NULL, &err);
	mxc_buf b = MXC_BUF_INIT;
	if (rc == MXC_OK && (rc = mxc_json_canonical(&b, out, &err)) == MXC_OK)
		printf("%s\n", b.data);
	mxc_buf_dispose(&b);
	mxc_json_free(out);
	mxc_json_free(obj);
	mxc_signing_key_free(key);
	return rc ? die("sign", rc, &err) : 0;
}

static int
cmd_verify(int argc, char **argv)
{
	const char *server = opt(argc, argv, "--server");
	const char *keyfile = opt(argc, argv, "--key");
	const char *kid = opt(argc, argv, "--key-id");
	const char *pub_b64 = opt(argc, argv, "--public-key");
	if (!server || (!keyfile && (!kid || !pub_b64))) {
		usage(stderr);
		return 2;
	}
	uint8_t pub[MXC_ED25519_PUBLIC_BYTES];
	char kidbuf[200];
	mxc_error err;
	if (keyfile) {
		mxc_signing_key *key = load_key(keyfile);
		if (!key)
			return 2;
		mxc_signing_key_public(pub, key);
		snprintf(kidbuf, sizeof kidbuf, "%s", mxc_signing_key_id(key));
		kid = kidbuf;
		mxc_signing_key_free(key);
	} else {
		mxc_buf b = MXC_BUF_INIT;
		int rc = mxc_base64_decode(&b, pub_b64, strlen(pub_b64), 0, &err);
		if (rc || b.len != sizeof pub) {
			mxc_buf_dispose(&b);
			fprintf(stderr, "mxc: --public-key: not a 32-byte base64 "
			                "key\n");
			return 2;
		}
		memcpy(pub, b.data, sizeof pub);
		mxc_buf_dispose(&b);
	}
	mxc_json *obj = read_json(positional(argc, argv), 0);
	if (!obj)
		return 2;
	int rc = mxc_json_verify(obj, server, kid, pub, sizeof pub, &err);
	mxc_json_free(obj);
	if (rc == MXC_OK) {
		printf("valid: signed by %s with %s\n", server, kid);
		return 0;
	}
	printf("invalid: %s\n", err.message[0] ? err.message : mxc_strerror(rc));
	return 1;
}

int
main(int argc, char **argv)
{
	if (mxc_init() != MXC_OK) {
		fputs("mxc: library initialisation failed\n", stderr);
		return 2;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	argc -= 2;
	argv += 2;
	if (strcmp(cmd, "batch") == 0)
		return cli_batch();
	if (strcmp(cmd, "canonical") == 0)
		return cmd_canonical(argc, argv);
	if (strcmp(cmd, "keygen") == 0)
		return cmd_keygen(argc, argv);
	if (strcmp(cmd, "pubkey") == 0)
		return cmd_pubkey(argc, argv);
	if (strcmp(cmd, "sign") == 0)
		return cmd_sign(argc, argv);
	if (strcmp(cmd, "build-event") == 0)
		return cmd_build_event(argc, argv);
	if (strcmp(cmd, "check-pdu") == 0)
		return cmd_check_pdu(argc, argv);
	if (strcmp(cmd, "verify") == 0)
		return cmd_verify(argc, argv);
	if (strcmp(cmd, "version") == 0) {
		printf("matrix-core %s\n", mxc_version());
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "mxc: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
