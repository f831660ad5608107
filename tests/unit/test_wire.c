/*
 * test_wire.c: the generated protocol encoders and decoders (sdb_wire.h):
 * exact bytes of known messages, round trips, framing, and malformed input
 * (every truncation, trailing bytes, bad constants, negative and huge
 * lengths and counts) rejected with PostgreSQL's 08P01 messages.
 */
#include <string.h>

#include "common/str.h"
#include "harness.h"
#include "sdb_wire.h"

static SdbArena *arena;

static int create_arena(void)
{
    arena = sdb_arena_create(NULL, "test_wire", 0);
    return arena ? 0 : 1;
}

static int destroy_arena(void)
{
    sdb_arena_destroy(arena);
    return 0;
}

static void assert_protocol_error(const char *message)
{
    const SdbErrorData *e = sdb_error_last();
    CU_ASSERT_EQUAL(e->code, SDB_ERR_PROTOCOL_VIOLATION);
    CU_ASSERT_STRING_EQUAL(e->message, message);
    sdb_error_clear();
}

/* Frame the single typed message in `s` and check it spans all of it. */
static SdbWireFrame frame_of(const SdbStr *s, char type)
{
    SdbWireFrame f;
    CU_ASSERT_EQUAL(sdb_wire_frame(s->data, s->len, true, SDB_WIRE_MAX_MESSAGE, &f), 1);
    CU_ASSERT_EQUAL(f.type, type);
    CU_ASSERT_EQUAL(f.size, s->len);
    return f;
}

static void test_exact_bytes(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    CU_ASSERT_EQUAL(sdb_wire_encode_query(&s, &(SdbWireQuery){.query = "SELECT 1"}), SDB_OK);
    CU_ASSERT_EQUAL(s.len, 14);
    CU_ASSERT_EQUAL(memcmp(s.data, "Q\0\0\0\x0dSELECT 1\0", 14), 0);

    sdb_str_reset(&s);
    CU_ASSERT_EQUAL(sdb_wire_encode_authentication_ok(&s), SDB_OK);
    CU_ASSERT_EQUAL(s.len, 9);
    CU_ASSERT_EQUAL(memcmp(s.data, "R\0\0\0\x08\0\0\0\0", 9), 0);

    sdb_str_reset(&s);
    CU_ASSERT_EQUAL(sdb_wire_encode_ssl_request(&s), SDB_OK);
    CU_ASSERT_EQUAL(s.len, 8);
    CU_ASSERT_EQUAL(memcmp(s.data, "\0\0\0\x08\x04\xd2\x16\x2f", 8), 0);

    sdb_str_reset(&s);
    CU_ASSERT_EQUAL(sdb_wire_encode_ready_for_query(&s, &(SdbWireReadyForQuery){.status = 'I'}), SDB_OK);
    CU_ASSERT_EQUAL(memcmp(s.data, "Z\0\0\0\x05I", 6), 0);

    sdb_str_reset(&s);
    SdbWireBytes values[2] = {{"42", 2}, {NULL, -1}};
    CU_ASSERT_EQUAL(sdb_wire_encode_data_row(&s, &(SdbWireDataRow){.nvalues = 2, .values = values}), SDB_OK);
    CU_ASSERT_EQUAL(s.len, 1 + 4 + 2 + 4 + 2 + 4);
    CU_ASSERT_EQUAL(memcmp(s.data, "D\0\0\0\x10\0\x02\0\0\0\x02" "42\xff\xff\xff\xff", 17), 0);
}

static void test_bind_round_trip(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    int16_t formats[1] = {1};
    SdbWireBytes values[3] = {{"\0\0\0\x07", 4}, {NULL, -1}, {"", 0}};
    int16_t results[2] = {0, 1};
    SdbWireBind in = {.portal = "p1", .statement = "s1", .nparam_formats = 1, .param_formats = formats,
                      .nvalues = 3, .values = values, .nresult_formats = 2, .result_formats = results};
    CU_ASSERT_EQUAL(sdb_wire_encode_bind(&s, &in), SDB_OK);
    SdbWireFrame f = frame_of(&s, SDB_WIRE_MSG_BIND);
    SdbWireBind out;
    CU_ASSERT_EQUAL(sdb_wire_decode_bind(f.body, f.len, arena, &out), SDB_OK);
    CU_ASSERT_STRING_EQUAL(out.portal, "p1");
    CU_ASSERT_STRING_EQUAL(out.statement, "s1");
    CU_ASSERT_EQUAL(out.nparam_formats, 1);
    CU_ASSERT_EQUAL(out.param_formats[0], 1);
    CU_ASSERT_EQUAL(out.nvalues, 3);
    CU_ASSERT_EQUAL(out.values[0].len, 4);
    CU_ASSERT_EQUAL(memcmp(out.values[0].data, "\0\0\0\x07", 4), 0);
    CU_ASSERT_EQUAL(out.values[1].len, -1);
    CU_ASSERT_PTR_NULL(out.values[1].data);
    CU_ASSERT_EQUAL(out.values[2].len, 0);
    CU_ASSERT_EQUAL(out.nresult_formats, 2);
    CU_ASSERT_EQUAL(out.result_formats[1], 1);
}

static void test_row_description_round_trip(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    SdbWireFieldDescription cols[2] = {
        {.name = "a", .table_oid = 0, .column = 0, .type_oid = 23, .type_len = 4, .typmod = -1, .format = 0},
        {.name = "b", .table_oid = 16384, .column = 2, .type_oid = 1043, .type_len = -1, .typmod = 14, .format = 1},
    };
    CU_ASSERT_EQUAL(sdb_wire_encode_row_description(&s, &(SdbWireRowDescription){.nfields = 2, .fields = cols}),
                    SDB_OK);
    SdbWireFrame f = frame_of(&s, SDB_WIRE_MSG_ROW_DESCRIPTION);
    SdbWireRowDescription out;
    CU_ASSERT_EQUAL(sdb_wire_decode_row_description(f.body, f.len, arena, &out), SDB_OK);
    CU_ASSERT_EQUAL(out.nfields, 2);
    CU_ASSERT_STRING_EQUAL(out.fields[1].name, "b");
    CU_ASSERT_EQUAL(out.fields[1].table_oid, 16384);
    CU_ASSERT_EQUAL(out.fields[1].column, 2);
    CU_ASSERT_EQUAL(out.fields[1].type_oid, 1043);
    CU_ASSERT_EQUAL(out.fields[1].type_len, -1);
    CU_ASSERT_EQUAL(out.fields[1].typmod, 14);
    CU_ASSERT_EQUAL(out.fields[1].format, 1);
    CU_ASSERT_EQUAL(out.fields[0].typmod, -1);
}

/* Zero-terminated arrays grow past their first allocation. */
static void test_error_response_round_trip(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    SdbWireNoticeField fields[7] = {{'S', "ERROR"}, {'V', "ERROR"}, {'C', "42P01"},
                                    {'M', "relation \"t\" does not exist"}, {'D', "d"}, {'H', "h"}, {'P', "15"}};
    CU_ASSERT_EQUAL(sdb_wire_encode_error_response(&s, &(SdbWireErrorResponse){.nfields = 7, .fields = fields}),
                    SDB_OK);
    CU_ASSERT_EQUAL(s.data[s.len - 1], 0);
    SdbWireFrame f = frame_of(&s, SDB_WIRE_MSG_ERROR_RESPONSE);
    SdbWireErrorResponse out;
    CU_ASSERT_EQUAL(sdb_wire_decode_error_response(f.body, f.len, arena, &out), SDB_OK);
    CU_ASSERT_EQUAL(out.nfields, 7);
    for (int i = 0; i < 7 && out.nfields == 7; i++) {
        CU_ASSERT_EQUAL(out.fields[i].code, fields[i].code);
        CU_ASSERT_STRING_EQUAL(out.fields[i].value, fields[i].value);
    }
}

static void test_startup_round_trip(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    SdbWireStartupParameter params[2] = {{"user", "postgres"}, {"database", "db"}};
    SdbWireStartupMessage in = {.protocol = SDB_WIRE_PROTOCOL(3, 0), .nparameters = 2, .parameters = params};
    CU_ASSERT_EQUAL(sdb_wire_encode_startup_message(&s, &in), SDB_OK);
    SdbWireFrame f;
    CU_ASSERT_EQUAL(sdb_wire_frame(s.data, s.len, false, SDB_WIRE_MAX_STARTUP, &f), 1);
    CU_ASSERT_EQUAL(f.type, 0);
    CU_ASSERT_EQUAL(f.size, s.len);
    CU_ASSERT_EQUAL(sdb_wire_startup_code(&f), 196608);
    SdbWireStartupMessage out;
    CU_ASSERT_EQUAL(sdb_wire_decode_startup_message(f.body, f.len, arena, &out), SDB_OK);
    CU_ASSERT_EQUAL(out.nparameters, 2);
    CU_ASSERT_STRING_EQUAL(out.parameters[1].name, "database");
    CU_ASSERT_STRING_EQUAL(out.parameters[1].value, "db");

    /* Cancel request: constant code, then the key. */
    sdb_str_reset(&s);
    CU_ASSERT_EQUAL(sdb_wire_encode_cancel_request(&s, &(SdbWireCancelRequest){.process_id = 7, .secret_key = -5}),
                    SDB_OK);
    CU_ASSERT_EQUAL(s.len, 16);
    CU_ASSERT_EQUAL(sdb_wire_frame(s.data, s.len, false, SDB_WIRE_MAX_STARTUP, &f), 1);
    CU_ASSERT_EQUAL(sdb_wire_startup_code(&f), SDB_WIRE_CANCEL_REQUEST_CODE);
    SdbWireCancelRequest cancel;
    CU_ASSERT_EQUAL(sdb_wire_decode_cancel_request(f.body, f.len, arena, &cancel), SDB_OK);
    CU_ASSERT_EQUAL(cancel.process_id, 7);
    CU_ASSERT_EQUAL(cancel.secret_key, -5);
    /* The same bytes are not an SSLRequest. */
    CU_ASSERT_EQUAL(sdb_wire_decode_ssl_request(f.body, f.len), SDB_ERROR);
    assert_protocol_error("invalid message format");
}

/* Every proper prefix of a valid body fails cleanly; so does a byte too many. */
static void test_truncations_and_trailing_bytes(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    int16_t formats[2] = {0, 1};
    SdbWireBytes values[2] = {{"abc", 3}, {NULL, -1}};
    SdbWireBind in = {.portal = "", .statement = "stmt", .nparam_formats = 2, .param_formats = formats,
                      .nvalues = 2, .values = values, .nresult_formats = 2, .result_formats = formats};
    CU_ASSERT_EQUAL(sdb_wire_encode_bind(&s, &in), SDB_OK);
    SdbWireFrame f = frame_of(&s, 'B');
    for (size_t len = 0; len < f.len; len++) {
        SdbWireBind out;
        CU_ASSERT_EQUAL(sdb_wire_decode_bind(f.body, len, arena, &out), SDB_ERROR);
        const SdbErrorData *e = sdb_error_last();
        CU_ASSERT_EQUAL(e->code, SDB_ERR_PROTOCOL_VIOLATION);
        CU_ASSERT(strcmp(e->message, "insufficient data left in message") == 0 ||
                  strcmp(e->message, "invalid string in message") == 0);
        sdb_error_clear();
    }
    char longer[256];
    memcpy(longer, f.body, f.len);
    longer[f.len] = 'x';
    SdbWireBind out;
    CU_ASSERT_EQUAL(sdb_wire_decode_bind(longer, f.len + 1, arena, &out), SDB_ERROR);
    assert_protocol_error("invalid message format");
    CU_ASSERT_EQUAL(sdb_wire_decode_sync("x", 1), SDB_ERROR);
    assert_protocol_error("invalid message format");
    CU_ASSERT_EQUAL(sdb_wire_decode_sync("", 0), SDB_OK);
    /* A string without its terminator. */
    SdbWireQuery q;
    CU_ASSERT_EQUAL(sdb_wire_decode_query("SELECT", 6, arena, &q), SDB_ERROR);
    assert_protocol_error("invalid string in message");
    /* A zero-terminated list without its terminator. */
    SdbWireErrorResponse er;
    CU_ASSERT_EQUAL(sdb_wire_decode_error_response("Mboom\0", 6, arena, &er), SDB_ERROR);
    assert_protocol_error("insufficient data left in message");
}

static void test_bad_lengths_and_counts(void)
{
    SdbWireBind out;
    /* 65535 values announced, none present: refused before allocating. */
    static const char huge_count[] = "\0\0\0\0\xff\xff";
    CU_ASSERT_EQUAL(sdb_wire_decode_bind(huge_count, sizeof huge_count - 1, arena, &out), SDB_ERROR);
    assert_protocol_error("insufficient data left in message");
    /* A value length of -2, and one longer than the message. */
    static const char negative[] = "\0\0\0\0\0\x01\xff\xff\xff\xfe\0\0";
    CU_ASSERT_EQUAL(sdb_wire_decode_bind(negative, sizeof negative - 1, arena, &out), SDB_ERROR);
    assert_protocol_error("insufficient data left in message");
    static const char too_long[] = "\0\0\0\0\0\x01\x7f\xff\xff\xff" "ab\0\0";
    CU_ASSERT_EQUAL(sdb_wire_decode_bind(too_long, sizeof too_long - 1, arena, &out), SDB_ERROR);
    assert_protocol_error("insufficient data left in message");
    /* An int32 count below zero. */
    SdbWireNegotiateProtocolVersion npv;
    static const char negative_count[] = "\0\0\0\0\xff\xff\xff\xff";
    CU_ASSERT_EQUAL(sdb_wire_decode_negotiate_protocol_version(negative_count, 8, arena, &npv), SDB_ERROR);
    assert_protocol_error("invalid message format");
    /* Wrong Authentication code for the decoder used. */
    SdbWireAuthenticationSASL sasl;
    CU_ASSERT_EQUAL(sdb_wire_decode_authentication_sasl("\0\0\0\x0b\0", 5, arena, &sasl), SDB_ERROR);
    assert_protocol_error("invalid message format");
}

static void test_framing(void)
{
    SdbWireFrame f;
    CU_ASSERT_EQUAL(sdb_wire_frame("Q\0\0", 3, true, SDB_WIRE_MAX_MESSAGE, &f), 0);
    CU_ASSERT_EQUAL(f.size, 0);
    CU_ASSERT_EQUAL(sdb_wire_frame("Q\0\0\0\x0dSEL", 8, true, SDB_WIRE_MAX_MESSAGE, &f), 0);
    CU_ASSERT_EQUAL(f.size, 14);
    CU_ASSERT_EQUAL(sdb_wire_frame("Q\0\0\0\x03", 5, true, SDB_WIRE_MAX_MESSAGE, &f), SDB_ERROR);
    assert_protocol_error("invalid message length");
    CU_ASSERT_EQUAL(sdb_wire_frame("Q\xff\xff\xff\xff", 5, true, SDB_WIRE_MAX_MESSAGE, &f), SDB_ERROR);
    assert_protocol_error("invalid message length");
    CU_ASSERT_EQUAL(sdb_wire_frame("Q\x40\0\0\0", 5, true, SDB_WIRE_MAX_MESSAGE, &f), SDB_ERROR);
    assert_protocol_error("invalid message length");
    CU_ASSERT_EQUAL(sdb_wire_frame("\0\0\0\x07", 4, false, SDB_WIRE_MAX_STARTUP, &f), SDB_ERROR);
    assert_protocol_error("invalid length of startup packet");
    CU_ASSERT_EQUAL(sdb_wire_frame("\0\0\x27\x11", 4, false, SDB_WIRE_MAX_STARTUP, &f), SDB_ERROR);
    assert_protocol_error("invalid length of startup packet");
    CU_ASSERT_EQUAL(sdb_wire_frame("\0\0\x27\x10", 4, false, SDB_WIRE_MAX_STARTUP, &f), 0);
    CU_ASSERT_EQUAL(f.size, 10000);
}

static void test_encoder_limits(void)
{
    SdbStr s;
    sdb_str_init(&s, arena);
    CU_ASSERT_EQUAL(sdb_wire_encode_sync(&s), SDB_OK);
    size_t before = s.len;
    SdbWireBytes *values = sdb_arena_calloc(arena, 65536, sizeof *values);
    CU_ASSERT_FATAL(values != NULL);
    CU_ASSERT_EQUAL(sdb_wire_encode_data_row(&s, &(SdbWireDataRow){.nvalues = 65536, .values = values}), SDB_ERROR);
    CU_ASSERT_EQUAL(sdb_error_last()->code, SDB_ERR_PROGRAM_LIMIT_EXCEEDED);
    sdb_error_clear();
    CU_ASSERT_EQUAL(s.len, before); /* the partial message is gone */
    CU_ASSERT_EQUAL(memcmp(s.data, "S\0\0\0\x04", 5), 0);
}

static void test_message_names(void)
{
    CU_ASSERT_STRING_EQUAL(sdb_wire_message_name('Q', true), "Query");
    CU_ASSERT_STRING_EQUAL(sdb_wire_message_name('D', true), "Describe");
    CU_ASSERT_STRING_EQUAL(sdb_wire_message_name('D', false), "DataRow");
    CU_ASSERT_STRING_EQUAL(sdb_wire_message_name('d', true), "CopyData");
    CU_ASSERT_PTR_NULL(sdb_wire_message_name('z', true));
    CU_ASSERT_PTR_NULL(sdb_wire_message_name('Q', false));
}

static CU_TestInfo wire_tests[] = {
    {"exact bytes of known messages", test_exact_bytes},
    {"Bind round trip with NULL and binary values", test_bind_round_trip},
    {"RowDescription round trip", test_row_description_round_trip},
    {"ErrorResponse round trip (zero-terminated list)", test_error_response_round_trip},
    {"StartupMessage and CancelRequest round trips", test_startup_round_trip},
    {"every truncation and trailing bytes are rejected", test_truncations_and_trailing_bytes},
    {"negative and huge lengths and counts are rejected", test_bad_lengths_and_counts},
    {"framing: partial, too short, too long", test_framing},
    {"encoders refuse over-long arrays and leave the buffer intact", test_encoder_limits},
    {"message names by type byte", test_message_names},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"wire", create_arena, destroy_arena, NULL, NULL, wire_tests},
    CU_SUITE_INFO_NULL,
};

int main(void)
{
    return sdb_test_run(suites);
}
