# Sidekiq's side of `make bench` (Benchmarks/PetalBench/PeerBench.swift runs it; see docs/PERFORMANCE.md).
#
#   ruby sidekiq_bench.rb REDIS_URL version | enqueue N | bulk N | drain N CONCURRENCY
#
# enqueue: N jobs one `perform_async` at a time. bulk: N jobs by `push_bulk`, 1,000 a call.
# drain: the N jobs already queued (by `bulk N`) run by a Sidekiq launcher in this process; the
# clock starts just before the launcher is made and stops when the N-th job has run (each job
# counts itself). Prints one line `result jobs=N seconds=S [first=F]`; anything else goes to stderr.
require "sidekiq"

url, mode, count, concurrency = ARGV
count = Integer(count || 0)
abort("usage: ruby sidekiq_bench.rb REDIS_URL version|enqueue N|bulk N|drain N CONCURRENCY") unless url && mode

Sidekiq.logger.level = Logger::WARN
# redis-rb 4.8 warns on every call Sidekiq 6.4 makes the old way: a line per job would be measured too.
Redis.silence_deprecations = true
Sidekiq.redis = {url: url, size: Integer(concurrency || 1) + 5}

# The no-op job. It counts itself so the drain knows when the N-th has run (a mutex, no Redis).
class NoopJob
  include Sidekiq::Worker
  sidekiq_options retry: false

  LOCK = Mutex.new
  DONE = Queue.new
  @ran = 0
  @first = nil
  class << self
    attr_reader :first
    attr_accessor :expected
  end

  def perform
    now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    self.class.ran(now)
  end

  def self.ran(now)
    LOCK.synchronize do
      @ran += 1
      @first ||= now
      DONE << now if @ran == expected
    end
  end
end

def clock = Process.clock_gettime(Process::CLOCK_MONOTONIC)

def result(jobs, seconds, first = nil)
  line = format("result jobs=%d seconds=%.6f", jobs, seconds)
  line += format(" first=%.6f", first) if first
  puts line
  $stdout.flush
end

case mode
when "version"
  yjit = defined?(RubyVM::YJIT) && RubyVM::YJIT.enabled? ? " + YJIT" : ""
  puts "version Sidekiq #{Sidekiq::VERSION} (Ruby #{RUBY_VERSION}#{yjit})"
when "enqueue"
  start = clock
  count.times { NoopJob.perform_async }
  result(count, clock - start)
when "bulk"
  start = clock
  (count / 1000.0).ceil.times do |batch|
    size = [1000, count - batch * 1000].min
    Sidekiq::Client.push_bulk("class" => NoopJob, "args" => Array.new(size) { [] })
  end
  result(count, clock - start)
when "drain"
  require "sidekiq/cli"  # makes this process a Sidekiq server (configure_server, middleware)
  require "sidekiq/launcher"
  NoopJob.expected = count
  Sidekiq.options[:concurrency] = Integer(concurrency)
  Sidekiq.options[:queues] = ["default"]
  start = clock
  launcher = Sidekiq::Launcher.new(Sidekiq.options)
  launcher.run
  done = NoopJob::DONE.pop
  result(count, done - start, NoopJob.first - start)
  Sidekiq.options[:timeout] = 5
  launcher.stop
  left = Sidekiq.redis { |redis| redis.llen("queue:default") }
  abort("#{left} jobs still queued after the drain") unless left.zero?
else
  abort("unknown mode #{mode}")
end
