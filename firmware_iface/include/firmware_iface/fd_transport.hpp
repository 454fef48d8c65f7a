#pragma once
// The descriptor-based ends of a motor connection: the host's serial port (LibSerial) and the
// board's pseudo-terminal master.
#include "firmware_iface/board_end.hpp"
#include "firmware_iface/serial_transport.hpp"
