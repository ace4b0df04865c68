// bwvoice: the compact JSON text of a model, through its value_from
// customisation (tag_invoke), as to_json writes every model.
#ifndef BWVOICE_API_JSON_WRITE_HPP
#define BWVOICE_API_JSON_WRITE_HPP

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include <array>
#include <string>

namespace bwvoice::json_write {

template <class T>
std::string compact(const T& model) {
    // The value only lives for this call; a stack-backed monotonic resource
    // spares the allocator one call per string (and falls back to the heap
    // for larger models).
    std::array<unsigned char, 8192> storage;
    boost::json::monotonic_resource resource(storage.data(), storage.size());
    boost::json::value v(&resource);
    tag_invoke(boost::json::value_from_tag{}, v, model);
    return boost::json::serialize(v);
}

}  // namespace bwvoice::json_write

#endif
