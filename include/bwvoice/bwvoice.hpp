// bwvoice: everything a user of the library needs.
#ifndef BWVOICE_BWVOICE_HPP
#define BWVOICE_BWVOICE_HPP

#include <bwvoice/client.hpp>
#include <bwvoice/conference.hpp>
#include <bwvoice/config.hpp>
#include <bwvoice/diagnostics.hpp>
#include <bwvoice/error.hpp>
#include <bwvoice/error_with_diagnostics.hpp>
#include <bwvoice/with_diagnostics.hpp>

#endif
