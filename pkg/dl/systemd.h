/* libsystemd (sd-bus), loaded on first use (see dl/dl.h).  Include after
 * <systemd/sd-bus.h>: the names rc uses then call through pointers that rc_dl_systemd()
 * fills.  Call rc_dl_systemd() before the first call. */
#ifndef RC_DL_SYSTEMD_H
#define RC_DL_SYSTEMD_H

#include <systemd/sd-bus.h>

#include "dl/dl.h"

#define RC_DL_SYSTEMD_SYMBOLS(X) \
        X(sd_bus_call) \
        X(sd_bus_call_method) \
        X(sd_bus_error_free) \
        X(sd_bus_error_has_name) \
        X(sd_bus_flush_close_unref) \
        X(sd_bus_get_property_string) \
        X(sd_bus_match_signal) \
        X(sd_bus_message_append) \
        X(sd_bus_message_close_container) \
        X(sd_bus_message_new_method_call) \
        X(sd_bus_message_open_container) \
        X(sd_bus_message_read) \
        X(sd_bus_message_unref) \
        X(sd_bus_new) \
        X(sd_bus_process) \
        X(sd_bus_set_address) \
        X(sd_bus_set_bus_client) \
        X(sd_bus_set_method_call_timeout) \
        X(sd_bus_slot_unref) \
        X(sd_bus_start) \
        X(sd_bus_unref) \
        X(sd_bus_wait)

RC_DL_SYSTEMD_SYMBOLS(RC_DL_DECLARE)

#ifndef RC_DL_NO_REDIRECT
#define sd_bus_call sym_sd_bus_call
#define sd_bus_call_method sym_sd_bus_call_method
#define sd_bus_error_free sym_sd_bus_error_free
#define sd_bus_error_has_name sym_sd_bus_error_has_name
#define sd_bus_flush_close_unref sym_sd_bus_flush_close_unref
#define sd_bus_get_property_string sym_sd_bus_get_property_string
#define sd_bus_match_signal sym_sd_bus_match_signal
#define sd_bus_message_append sym_sd_bus_message_append
#define sd_bus_message_close_container sym_sd_bus_message_close_container
#define sd_bus_message_new_method_call sym_sd_bus_message_new_method_call
#define sd_bus_message_open_container sym_sd_bus_message_open_container
#define sd_bus_message_read sym_sd_bus_message_read
#define sd_bus_message_unref sym_sd_bus_message_unref
#define sd_bus_new sym_sd_bus_new
#define sd_bus_process sym_sd_bus_process
#define sd_bus_set_address sym_sd_bus_set_address
#define sd_bus_set_bus_client sym_sd_bus_set_bus_client
#define sd_bus_set_method_call_timeout sym_sd_bus_set_method_call_timeout
#define sd_bus_slot_unref sym_sd_bus_slot_unref
#define sd_bus_start sym_sd_bus_start
#define sd_bus_unref sym_sd_bus_unref
#define sd_bus_wait sym_sd_bus_wait
#endif

#endif
