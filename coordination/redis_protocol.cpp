#include "coordination/redis_protocol.hpp"

#include <hiredis/hiredis.h>

#include <stdexcept>

namespace nds::coordination {
namespace {

Error malformed(std::string message) { return Error{make_error_code(errc::malformed), std::move(message)}; }

RedisReply copy_reply(const redisReply& reply) {
    RedisReply out;
    switch (reply.type) {
    case REDIS_REPLY_STRING:
        out.type = RedisReply::Type::string;
        out.text.assign(reply.str, reply.len);
        break;
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::status;
        out.text.assign(reply.str, reply.len);
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::error;
        out.text.assign(reply.str, reply.len);
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::integer;
        out.integer = reply.integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::array;
        out.elements.reserve(reply.elements);
        for (std::size_t i = 0; i < reply.elements; ++i) out.elements.push_back(copy_reply(*reply.element[i]));
        break;
    default:  // REDIS_REPLY_NIL (RESP2 has no other type)
        out.type = RedisReply::Type::nil;
        break;
    }
    return out;
}

}  // namespace

std::string RedisReply::error_code() const {
    if (type != Type::error) return {};
    return text.substr(0, text.find(' '));
}

std::string format_command(const std::vector<std::string>& arguments) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(arguments.size());
    lengths.reserve(arguments.size());
    for (const auto& argument : arguments) {
        argv.push_back(argument.data());
        lengths.push_back(argument.size());
    }
    char* command = nullptr;
    int length = redisFormatCommandArgv(&command, static_cast<int>(argv.size()), argv.data(), lengths.data());
    if (length < 0 || command == nullptr) throw std::bad_alloc();  // hiredis fails only when out of memory
    std::string out(command, static_cast<std::size_t>(length));
    redisFreeCommand(command);
    return out;
}

struct ReplyParser::Reader {
    redisReader* reader = redisReaderCreate();
    ~Reader() {
        if (reader) redisReaderFree(reader);
    }
};

ReplyParser::ReplyParser() : reader_(std::make_unique<Reader>()) {
    if (!reader_->reader) throw std::bad_alloc();
}

ReplyParser::~ReplyParser() = default;

Expected<Done> ReplyParser::feed(const char* data, std::size_t size) {
    if (redisReaderFeed(reader_->reader, data, size) != REDIS_OK)
        return malformed(std::string("Redis answer not understood: ") + reader_->reader->errstr);
    return Done{};
}

Expected<std::optional<RedisReply>> ReplyParser::next() {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_->reader, &raw) != REDIS_OK)
        return malformed(std::string("Redis answer not understood: ") + reader_->reader->errstr);
    if (raw == nullptr) return std::optional<RedisReply>{};
    auto* reply = static_cast<redisReply*>(raw);
    auto copy = copy_reply(*reply);
    freeReplyObject(reply);
    return std::optional<RedisReply>{std::move(copy)};
}

}  // namespace nds::coordination
