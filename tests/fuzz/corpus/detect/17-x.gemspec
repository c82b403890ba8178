LGem::Specification.new do |s|
  s.name = "x"
  s.license = "MIT"
  s.licenses = ["Ruby", %q{BSD-2-Clause}]
end
